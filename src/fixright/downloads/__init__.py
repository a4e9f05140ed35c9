"""Signed download links and the streaming of image bytes."""
