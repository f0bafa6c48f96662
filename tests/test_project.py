"""Project-wide checks: addon layout, translations, access rights, scripts, CI entry point."""

import ast
import re
import subprocess

import polib
import pytest

from .conftest import ROOT, project_addons

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def manifest(addon):
    return ast.literal_eval((ROOT / "addons" / addon / "__manifest__.py").read_text(encoding="utf-8"))


def test_there_are_addons():
    assert "city_base" in project_addons()


@pytest.mark.parametrize("addon", project_addons())
def test_addon_layout(addon):
    path = ROOT / "addons" / addon
    data = manifest(addon)
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", data["version"]), data["version"]
    for key in ("license", "author", "website", "depends"):
        assert data.get(key), f"{addon}: manifest needs {key}"
    assert "description" not in data, f"{addon}: use readme/DESCRIPTION.md"
    assert (path / "readme" / "DESCRIPTION.md").is_file()
    assert (path / "i18n" / "zh_CN.po").is_file()
    assert list((path / "tests").glob("test_*.py")), f"{addon} has no tests"
    for file in data.get("data", []) + data.get("demo", []):
        assert (path / file).is_file(), f"{addon}: {file} listed in the manifest is missing"


@pytest.mark.parametrize("addon", project_addons())
def test_translation_complete(addon):
    catalog = polib.pofile(str(ROOT / "addons" / addon / "i18n" / "zh_CN.po"))
    untranslated = [entry.msgid for entry in catalog if not entry.msgstr and not entry.obsolete]
    assert not untranslated, f"{addon}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    for entry in catalog:
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), entry.msgid


def test_translation_covers_the_code(env):
    """Every term Odoo would export for an addon is in its zh_CN.po (no stale catalogue)."""
    from odoo.tools.translate import TranslationModuleReader

    for addon in project_addons():
        if env["ir.module.module"].search([("name", "=", addon), ("state", "=", "installed")]):
            reader = TranslationModuleReader(env.cr, [addon], lang="en_US")
            exported = {source for _module, _type, _name, _res_id, source, _value, _comments in reader}
            assert len(exported) > 10, f"{addon}: suspiciously few terms exported"
            catalog = {entry.msgid for entry in polib.pofile(str(ROOT / "addons" / addon / "i18n" / "zh_CN.po"))}
            missing = sorted(exported - catalog)
            assert not missing, f"{addon}: {len(missing)} terms missing from zh_CN.po, e.g. {missing[:3]}"


def test_every_model_has_access_rules(env):
    for addon in project_addons():
        models = env["ir.model.data"].search([("module", "=", addon), ("model", "=", "ir.model")])
        for model in env["ir.model"].browse(models.mapped("res_id")):
            if env[model.model]._abstract:
                continue
            assert env["ir.model.access"].search_count([("model_id", "=", model.id)]), f"{model.model} has no access"


def test_openapi_document_is_valid(env):
    from openapi_spec_validator import validate

    validate(env["city.api.openapi"]._openapi_document())


def test_scripts_parse():
    for script in ("run", "test", "lint", "lib/setup.sh", "bench/run"):
        path = ROOT / "scripts" / script
        assert path.is_file(), script
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ['exec "$(dirname "$0")/../scripts/test"']
    assert "scripts/test" in (ROOT / "README.md").read_text()


def test_interface_speaks_chinese(env):
    """The test database has zh_CN loaded and the addon's terms come out in Chinese."""
    env = env(context={"lang": "zh_CN"})
    assert env["res.lang"]._lang_get("zh_CN").active
    fields = env["res.partner"].fields_get(["resident_id_masked", "city_division_id"], ["string"])
    assert fields["resident_id_masked"]["string"] == "身份证号"
    assert env.ref("city_base.group_city_base_worker").name == "社区工作人员"
    assert env.ref("city_base.city_menu_root").name == "智慧城市"


def test_community_speaks_chinese(env):
    """The community service centre's menus, states and data come out in Chinese."""
    if not env["ir.module.module"].search([("name", "=", "city_community"), ("state", "=", "installed")]):
        return
    env = env(context={"lang": "zh_CN"})
    states = dict(env["city.request"]._fields["state"]._description_selection(env))
    assert states["accepted"] == "已受理"
    assert env.ref("city_community.city_service_category_social").name == "社会保障"
    assert env.ref("city_community.city_community_menu_root").name == "社区服务"
