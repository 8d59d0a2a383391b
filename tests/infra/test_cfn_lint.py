"""cfn-lint finds nothing in the template but warnings known to be harmless in CDK output."""

from __future__ import annotations

from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from tests.infra.conftest import Synthesis

# W3005: CDK makes a function depend on its role's default policy and on the role, though the
# function's Role property already references the role. The duplicate DependsOn is harmless.
KNOWN_BENIGN = {"W3005"}


def test_cfn_lint_clean(synthesis: Synthesis) -> None:
    template_file = synthesis.outdir / f"{synthesis.stack.stack_name}.template.json"
    matches = lint_file(template_file, config=ManualArgs(regions=["us-east-1", "eu-west-1"]))
    findings = [
        f"{match.rule.id} {match.message} (line {match.linenumber})"
        for match in matches
        if match.rule.id not in KNOWN_BENIGN
    ]
    assert findings == []
