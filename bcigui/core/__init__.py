"""Headless core of bcigui. Nothing under this package may import Qt."""
