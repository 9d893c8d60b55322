"""The engine run partition by partition on Dask gives the findings of one pandas run."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

if not os.environ.get("CI"):
    pytest.importorskip("dask.dataframe", reason="dask is not installed (pip install 'claimcheck-billing[dask]')")
import dask  # noqa: E402  (in CI the extra is installed: a missing dask fails here)
import dask.dataframe as dd  # noqa: E402

from claimcheck.api import check_workbook  # noqa: E402
from claimcheck.distributed import check_dask, check_frame, claims_frame  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 6, 30)


def _expected(path):
    return [f.as_dict() for f in check_workbook(path, AS_OF).findings]


def _records(frame):
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for r in out:
        r["row"] = int(r["row"]) if r["row"] is not None else None
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate

    return generate(1500, seed=11, path=tmp_path_factory.mktemp("dist") / "claims.xlsx")


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_dask_partitions_give_the_findings_of_one_run(which, generated):
    path = ROOT / "examples" / "sample-billing.xlsx" if which == "sample" else generated
    frame, refs = claims_frame(path)
    expected = _expected(path)
    assert expected
    with dask.config.set(scheduler="synchronous"):
        ddf = dd.from_pandas(frame, npartitions=4)
        got = check_dask(ddf, refs, AS_OF, npartitions=3)
    assert _records(got) == expected


def test_one_frame_is_one_run():
    path = ROOT / "examples" / "sample-billing.xlsx"
    frame, refs = claims_frame(path)
    assert _records(check_frame(frame, refs, AS_OF)) == _expected(path)


def test_row_numbers_default_to_the_order_of_the_lines():
    path = ROOT / "examples" / "sample-billing.xlsx"
    frame, refs = claims_frame(path)
    assert list(frame["row"]) == list(range(2, 2 + len(frame)))  # the sample has no blank rows
    with dask.config.set(scheduler="synchronous"):
        got = check_dask(dd.from_pandas(frame.drop(columns=["row"]), npartitions=3), refs, AS_OF)
    assert _records(got) == _expected(path)
