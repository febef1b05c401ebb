"""The demo: the reference scenario of the seed (``reference``, loaded by ``seed_reference``) and scale data
of any size (``generate``, run by ``generate_county`` and ``make bench``).

Every app keeps its own in ``<app>/reference.py`` and ``<app>/generate.py``, found by name.  Faker and tqdm
are imported only by the scale data, which production never runs.
"""
