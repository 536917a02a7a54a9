"""Configuration, connections and logging shared by the worker and the starter."""
