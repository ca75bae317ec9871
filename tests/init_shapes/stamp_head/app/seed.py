"""Seed data."""
