"""Demo and benchmark data for POSC Tracker (``manage.py seed_demo``).

``demo.data`` holds the fixed lists (Jilin Province's division codes, name parts); ``demo.generate``
builds the data set deterministically and writes only what is missing, so running it twice changes nothing.
"""
