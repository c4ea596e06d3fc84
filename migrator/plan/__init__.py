"""The planner: decide per generator (rewrite / report / refuse) and build the edits."""
