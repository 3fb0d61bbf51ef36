"""qualcode: qualitative coding and thematic analysis from the terminal."""

__version__ = "0.1.0"
