"""Evaluation code: the golden-set runner and scorer (`bench.evaluation.golden`) and the
training records built through the real pipeline (`bench.evaluation.training`). Used by the
benches and the tests; never shipped in the wheel and never imported by lam itself."""
