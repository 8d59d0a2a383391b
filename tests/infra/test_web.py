"""Dashboard: private bucket behind CloudFront with origin access control, and config.json."""

from __future__ import annotations

from typing import Any

from tests.infra.helpers import only, referenced_ids, resources


def test_distribution_uses_oac(template_dict: dict[str, Any]) -> None:
    oac_id, _ = only(template_dict, "AWS::CloudFront::OriginAccessControl")
    _, distribution = only(template_dict, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert "Logging" in config


def test_site_bucket_readable_by_distribution_only(template_dict: dict[str, Any]) -> None:
    distribution_id, _ = only(template_dict, "AWS::CloudFront::Distribution")
    [policy] = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in resources(template_dict, "AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"]["Ref"].startswith("DashboardSite")
    ]
    allows = [statement for statement in policy if statement["Effect"] == "Allow"]
    assert allows
    for statement in allows:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert distribution_id in referenced_ids(statement["Condition"])


def test_config_json_deployed(template_dict: dict[str, Any]) -> None:
    _, deployment = only(template_dict, "Custom::CDKBucketDeployment")
    markers = deployment["Properties"]["SourceMarkers"]
    api_id, _ = only(template_dict, "AWS::ApiGatewayV2::Api")
    assert any(api_id in referenced_ids(marker) for marker in markers)
    assert deployment["Properties"]["DistributionPaths"] == ["/*"]
