"""The application floor: what every channel shares.

``assistant`` runs one turn at a time per resident, exactly once; ``scheduler`` fires reminders;
``reload`` swaps in edited flows; ``staff`` is the volunteers' and admins' desk; ``compose`` builds
everything (the one composition root).
"""
