"""surgesim.read: a result file back as the Results its run returned; compare takes
either; what a notebook shows of a run."""

import numpy as np
import pandas as pd
import pytest

import surgesim
from test_scenario import SHOP


@pytest.fixture
def shop(tmp_path):
    (tmp_path / "traffic.csv").write_text("t,rate\n0,20\n300,60\n600,30\n")
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    return surgesim.load(path)


def test_read_gives_back_what_the_run_returned(shop, tmp_path):
    ran = surgesim.run(shop, replications=3, seed=4, output=tmp_path / "r.h5",
                       keep_replications=True)
    read = surgesim.read(tmp_path / "r.h5")
    assert read.summary == ran.summary
    assert read.replications == ran.replications
    assert list(read.series) == list(ran.series)  # the engine's order
    for path, table in ran.series.items():
        back = read.series[path]
        assert back.columns == table.columns, path  # the file's column order
        assert back.bucket_s == table.bucket_s
        np.testing.assert_array_equal(back.mean, table.mean)
        np.testing.assert_array_equal(back.ci95, table.ci95)  # both two-pass
        np.testing.assert_array_equal(back.replications, table.replications)
    pd.testing.assert_frame_equal(read.timeseries("services/web"), ran.timeseries("services/web"))
    pd.testing.assert_frame_equal(read.timeseries("services/web", replication=2),
                                  ran.timeseries("services/web", replication=2))


def test_read_refuses_what_is_not_a_result_file(tmp_path):
    (tmp_path / "x.h5").write_text("not hdf5")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        surgesim.read(tmp_path / "x.h5")
    with pytest.raises(ValueError, match="no such file"):
        surgesim.read(tmp_path / "missing.h5")


def test_compare_takes_results_or_paths(shop, tmp_path):
    a = surgesim.run(shop, replications=3, output=tmp_path / "a.h5")
    b = surgesim.run(shop.set("services.web.instances", 2), replications=3,
                     output=tmp_path / "b.h5")
    from_files = surgesim.compare.compare(tmp_path / "a.h5", tmp_path / "b.h5")
    from_runs = surgesim.compare.compare(a, b)
    mixed = surgesim.compare.compare(surgesim.read(tmp_path / "a.h5"), tmp_path / "b.h5")
    pd.testing.assert_frame_equal(from_runs, from_files)
    pd.testing.assert_frame_equal(mixed, from_files)
    assert (from_runs["test"] == "paired").all()


def test_a_notebook_shows_headlines_with_half_widths_and_failing_slos(shop):
    tight = shop.set("slo.0.max", "10ms")  # no page answers that fast
    results = surgesim.run(tight, replications=3)
    html = results._repr_html_()
    assert "Drop rate" in html and "±" in html
    assert 'font-weight:bold">failed</span>' in html and "fast" in html
    assert "95% confidence intervals over 3 replications" in html
    assert repr(results).startswith("<Results 'two-tier': 3 replication(s)")
    assert "failed SLOs: fast" in repr(results)
