"""Gettext catalogs (Dutch is the source language); see bot/i18n.py."""
