"""The demo: two deterministic workspaces that look alive, built by ``comptoir demo``.

Read in this order: ``company`` says what a demo company is, and ``maison_lumiere`` and
``nordlys`` are the two; ``corpus`` (with its texts in ``data/``) holds what people write;
``names`` and ``population`` make the people, ``threads`` and ``platform`` their
conversations; ``plan`` puts it all together in memory from one seed; ``builder`` writes
the plan to the database in bulk and counts what is there.
"""
