"""Fixtures for the project-wide tests (run by scripts/test through pytest-odoo)."""

import pathlib

import pytest

import odoo
from odoo.modules.registry import Registry

ROOT = pathlib.Path(__file__).resolve().parent.parent


def project_addons():
    return sorted(path.parent.name for path in ROOT.glob("addons/*/__manifest__.py"))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture
def env():
    """An environment on the test database as superuser; everything is rolled back."""
    registry = Registry(odoo.tools.config["db_name"])
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.rollback()
