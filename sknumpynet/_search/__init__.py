"""The searches: scikit-learn's, whose candidates train as stacks along paths.

``grid.py`` is MLPGridSearchCV; ``tasks.py`` splits the candidates into
groups and runs one group on one fold; ``path.py`` trains a group's stack
once along the epochs asked for.
"""
