"""The harness keeps only verified runs and judges targets on medians.
usage: harness_test.py BIN_DIR  (runs the real timer, bench-timeit)"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import benchmarks  # noqa: E402
import report  # noqa: E402

BIN = sys.argv.pop(1) if len(sys.argv) > 1 else "build-bench/bin"


class ShellRuntime:
    """A runtime that runs `sh -c SCRIPT` on the host, under the timer."""
    unavailable = None

    def __init__(self, name, script):
        self.name, self.script = name, script

    def argv(self, rootfs, args, cid, out, timeit):
        return [timeit, out, "--", "sh", "-c", self.script]


class RunBenchTest(unittest.TestCase):
    def run_bench(self, rts, expect_stdout=None, reps=3):
        b = benchmarks.Bench("t", "t", lambda c: ["x"], {"op": ("op time", "ns/op", "lower")},
                             expect_stdout=expect_stdout, reps=reps, timeout=20)
        table = benchmarks.Table()
        with tempfile.TemporaryDirectory() as d:
            benchmarks.run_bench(b, rts, lambda k: "/", f"{BIN}/bench-timeit", d, table,
                                 lambda m: None)
        return table

    def test_check_mismatch_fails_the_runtime(self):
        t = self.run_bench([ShellRuntime("native", "echo RESULT op 10 ns/op 42 1"),
                            ShellRuntime("good", "echo RESULT op 20 ns/op 42 1"),
                            ShellRuntime("liar", "echo RESULT op 1 ns/op 41 1")])
        self.assertEqual(t.rows["op time"]["good"]["samples"], [20.0, 20.0, 20.0])
        self.assertEqual(t.rows["op time"]["liar"]["samples"], [])
        self.assertIn("differs from the reference 42", t.rows["op time"]["liar"]["error"])

    def test_exit_status_and_fail_line_and_missing_result(self):
        t = self.run_bench([ShellRuntime("native", "echo RESULT op 10 ns/op 1 1"),
                            ShellRuntime("dies", "echo RESULT op 10 ns/op 1 1; exit 4"),
                            ShellRuntime("fails", "echo FAIL op broken; echo RESULT op 1 ns/op 1 1"),
                            ShellRuntime("silent", "true"),
                            ShellRuntime("wrongunit", "echo RESULT op 10 ms 1 1")])
        errs = {k: v["error"] for k, v in t.rows["op time"].items()}
        self.assertIsNone(errs["native"])
        self.assertIn("exit status 4", errs["dies"])
        self.assertIn("FAIL op broken", errs["fails"])
        self.assertIn("no RESULT op", errs["silent"])
        self.assertIn("unit ms", errs["wrongunit"])

    def test_expected_stdout(self):
        b = benchmarks.Bench("s", "s", lambda c: ["x"], {}, expect_stdout="hello\n",
                             wall_metric=("wall", "ms"), reps=2, timeout=20)
        table = benchmarks.Table()
        with tempfile.TemporaryDirectory() as d:
            benchmarks.run_bench(b, [ShellRuntime("native", "echo hello"),
                                     ShellRuntime("other", "echo bye")],
                                 lambda k: "/", f"{BIN}/bench-timeit", d, table, lambda m: None)
        self.assertEqual(len(table.rows["wall"]["native"]["samples"]), 2)
        self.assertTrue(all(s > 0 for s in table.rows["wall"]["native"]["samples"]))
        self.assertIn("expected 'hello\\n'", table.rows["wall"]["other"]["error"])


class JudgeTest(unittest.TestCase):
    def rows(self, native, litebox, metric="read 1 B /dev/zero"):
        return {metric: {"native": {"samples": native, "error": None},
                         "litebox": {"samples": litebox, "error": None}}}

    def test_ratio_targets_use_medians(self):
        t = report.TARGETS[0]  # read ≤ 1.05x native
        self.assertEqual(report.judge(self.rows([100, 100, 900], [104, 104, 1]), t)[0], "met")
        self.assertEqual(report.judge(self.rows([100, 100, 100], [106]), t)[0], "NOT met")

    def test_higher_is_better_target(self):
        t = [x for x in report.TARGETS if x[1].startswith("sequential read")][0]
        m = "sequential read 1024 MiB"
        self.assertEqual(report.judge(self.rows([1000], [980], m), t)[0], "met")
        self.assertEqual(report.judge(self.rows([1000], [960], m), t)[0], "NOT met")

    def test_ratio_to_another_metric(self):
        t = [x for x in report.TARGETS if x[3].startswith("ratio_to_metric:seccomp floor: read")][0]
        rows = self.rows([200], [250])
        floor = "seccomp floor: read 1 B /dev/zero under an allow-all filter"
        rows[floor] = {"native": {"samples": [240, 240, 900], "error": None}}
        verdict, shown, _ = report.judge(rows, t)
        self.assertEqual(verdict, "met")  # 250 / 240
        self.assertIn("1.04×", shown)
        rows[floor]["native"]["samples"] = [230]
        self.assertEqual(report.judge(rows, t)[0], "NOT met")  # 250 / 230
        del rows[floor]
        self.assertEqual(report.judge(rows, t)[0], "not measured")

    def test_missing_figures_are_not_measured_with_reason(self):
        t = report.TARGETS[0]
        rows = self.rows([100], [])
        rows["read 1 B /dev/zero"]["litebox"]["error"] = "failed: exit status 1"
        verdict, why, _ = report.judge(rows, t)
        self.assertEqual(verdict, "not measured")
        self.assertIn("exit status 1", why)
        self.assertEqual(report.judge({}, t)[0], "not measured")


if __name__ == "__main__":
    unittest.main()
