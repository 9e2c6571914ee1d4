"""Tests for the local Bot API playground."""
