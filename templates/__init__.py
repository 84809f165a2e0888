"""Jinja2 templates of the HTML report (shipped as the package `reserve.templates`)."""
