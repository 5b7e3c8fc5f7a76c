"""Staff: admins and volunteers — invites, door-to-door visits, households, and what admins did."""
