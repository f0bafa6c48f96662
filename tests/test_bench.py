"""The benchmark contract (scripts/bench/): listing, wrk parsing and the result line."""

import importlib.util
import json
import subprocess
import sys

import pytest

from .conftest import ROOT

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8079/api/city/v1/ping
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    52.10ms    6.20ms  92.01ms   80.00%
    Req/Sec    77.10     10.20   100.00     70.00%
  Latency Distribution
     50%   51.66ms
     75%   55.00ms
     90%   58.20ms
     99%   64.43ms
  1539 requests in 10.02s, 420.12KB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 2
Requests/sec:    153.60
Transfer/sec:     41.93KB
"""


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "scripts" / "bench"))
    spec = importlib.util.spec_from_file_location("city_bench_common", ROOT / "scripts" / "bench" / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_list_names_every_benchmark():
    output = subprocess.run(
        [str(ROOT / "scripts" / "bench" / "run"), "--list"], check=True, capture_output=True, text=True
    ).stdout
    modules = {p.stem for p in (ROOT / "scripts" / "bench").glob("*.py")} - {"common", "datagen"}
    assert modules, "no benchmark modules"
    for name in modules:
        assert name in output


def test_parse_wrk_output(bench):
    figures = bench.parse_wrk_output(WRK_OUTPUT)
    assert figures["requests"] == 1539
    assert figures["rps"] == 153.6
    assert figures["latency_ms"]["p50"] == 51.66
    assert figures["latency_ms"]["p99"] == 64.43
    assert figures["socket_errors"] == {"connect": 0, "read": 3, "write": 0, "timeout": 1}
    assert figures["non_2xx_3xx"] == 2


def test_result_line_contract(bench, capsys):
    result = {"name": "x", "rps": 10.0, "baseline": {"ping": {"rps": 20.0}}, "ratio": 0.5, "target_ratio": 0.25}
    assert bench.emit(dict(result)) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(line)["ratio"] == 0.5
    for key in ("name", "baseline", "ratio", "target_ratio"):
        broken = {k: v for k, v in result.items() if k != key}
        with pytest.raises(bench.BenchError):
            bench.emit(broken)
    with pytest.raises(bench.BenchError):
        bench.emit({"name": "x", "baseline": {}, "ratio": 1, "target_ratio": 1})
    assert bench.emit(dict(result, valid=False)) == 2


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_care_events_imeis_and_figures(bench):
    """care_events: the generated IMEIs pass the addon's check; SOS figures and failed samples."""
    datagen = _load("city_bench_datagen", ROOT / "scripts" / "bench" / "datagen.py")
    imei = _load("city_care_imei", ROOT / "addons" / "city_special_care" / "tools" / "imei.py")
    imeis = [datagen.care_imei(serial) for serial in (1, 42, 99999, 1234567)]
    assert len(set(imeis)) == 4
    assert all(imei.imei_error(value) is None for value in imeis)
    care = _load("city_bench_care_events", ROOT / "scripts" / "bench" / "care_events.py")
    samples = [
        {"start": 0.0, "posted": 0.1 * n, "found": 0.1 * n + 0.05, "polls": 1, "error": None, "ping_ms": 20.0}
        for n in range(1, 21)
    ]
    figures, ping, reasons = care.sos_figures(samples, "sos")
    assert not reasons
    assert figures["sos_samples"] == 20
    assert figures["sos_p95_ms"] == 1950.0
    assert ping["p95_ms"] == 20.0
    samples.append({"start": 0.0, "polls": 0, "error": "POST 500: boom"})
    assert care.sos_figures(samples, "sos")[2]


def test_elderly_orders_setup_code(bench):
    """elderly_orders: the odoo-shell setup code formats into valid Python; the issue's p95 target."""
    orders = _load("city_bench_elderly_orders", ROOT / "scripts" / "bench" / "elderly_orders.py")
    code = orders.SETUP_CODE.format(
        providers=2, heavy_carers=3, carers=1, login="bench", password_env="PW", marker=orders.SETUP_MARKER
    )
    compile(code, "elderly_orders_setup", "exec")
    assert orders.TARGET_P95_MS == 200
    assert orders.PATH == "/my/elderly/provider-orders"


def _measurement(rps, p95_ms, valid=True):
    return {
        "endpoint": "GET /x",
        "valid": valid,
        "rps": rps,
        "p50_ms": p95_ms / 2,
        "p95_ms": p95_ms,
        "p99_ms": p95_ms,
        "max_ms": p95_ms,
        "requests": int(rps * 10),
        "non_2xx": 0,
        "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        "invalid_reasons": [] if valid else ["non-2xx"],
    }


def test_page_result_ratio_targets_and_validity(bench):
    """page_result: ratio to /web/login, both targets, and validity of the page, the login page and the others."""

    class Args:
        name = "page_bench"

    baselines = {"web_login": _measurement(100.0, 20.0), "ping": _measurement(200.0, 10.0)}
    result = bench.page_result(Args, _measurement(85.0, 30.0), baselines, 0.8, 200)
    assert (result["name"], result["ratio"], result["valid"]) == ("page_bench", 0.85, True)
    assert result["meets_target"] and result["meets_ratio_target"] and result["meets_p95_target"]
    assert result["baseline"]["compared_with"] == "web_login"
    slow = bench.page_result(Args, _measurement(85.0, 250.0), baselines, 0.8, 200)
    assert slow["meets_ratio_target"] and not slow["meets_p95_target"] and not slow["meets_target"]
    baselines["ping"] = _measurement(200.0, 10.0, valid=False)
    invalid = bench.page_result(Args, _measurement(85.0, 30.0), baselines, 0.8, 200)
    assert not invalid["valid"] and not invalid["meets_target"]
    # other measurements than the ping can decide the validity instead
    other = bench.page_result(Args, _measurement(85.0, 30.0), baselines, 0.8, 200, also_valid=[_measurement(1, 1)])
    assert other["valid"]


def test_result_line_keeps_invalid_reasons(bench, capsys):
    result = {"name": "x", "draw_s": 1.0, "baseline": {}, "ratio": 2.0, "target_ratio": 10, "valid": False}
    assert bench.emit(result, ["2 children placed twice"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip().splitlines()[-1])["invalid_reasons"] == ["2 children placed twice"]
    assert "INVALID: 2 children placed twice" in captured.err
