"""Workflow code that only older histories run, one self-contained package per release.

Each package is the workflow code of a release as it shipped, with frozen copies of the rules
and payloads it uses, and runs that release's open workflows on that release's task queue
(`runtime/generations.py`) until they finish. Nothing here is edited: a package is deleted
once no workflow of its release runs (the visibility query of its generation, in
docs/design.md, finds none). No live module imports it; only the worker's registry does.
"""
