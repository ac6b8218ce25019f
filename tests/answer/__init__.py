"""Tests of grounded, cited, streamed answers."""
