"""Tests of the hand-written client runtime (generator/runtime)."""
