"""Alarms on failed work, sent to one SNS topic (and an email address, when configured)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from . import nag
from .constants import METRICS_NAMESPACE, SERVICE_NAME
from .functions import ServiceFunction

PERIOD = Duration.minutes(5)
# Server errors of the API tolerated per period before the alarm fires.
API_SERVER_ERRORS = 5
# The sweeper publishes this metric (Powertools Metrics, dimension `service`): the number of
# pending records it marked failed because their execution had ended.
STALE_REPORTS_METRIC = "StalePendingReports"


class Alarms(Construct):
    """An alarm fires on the first failed, timed-out or stale report, on API 5xx responses,
    on any function error and on the first message in a dead-letter queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_email: str,
        state_machine: sfn.IStateMachine,
        http_api: apigwv2.IHttpApi,
        functions: Sequence[ServiceFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Topic", display_name="Compliance reports alarms", enforce_ssl=True
        )
        if alarm_email:
            subscription = self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
            nag.acknowledge(
                subscription,
                "Serverless-SNSRedrivePolicy",
                "An alarm e-mail that cannot be delivered is not worth replaying later; the "
                "alarm's state and history stay in CloudWatch.",
            )
        self.alarms: list[cloudwatch.Alarm] = []

        self._alarm("ExecutionsFailed", state_machine.metric_failed(period=PERIOD))
        self._alarm("ExecutionsTimedOut", state_machine.metric_timed_out(period=PERIOD))
        self._alarm(
            "StaleReports",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=STALE_REPORTS_METRIC,
                dimensions_map={"service": SERVICE_NAME},
                statistic="Sum",
                period=PERIOD,
            ),
        )
        self._alarm(
            "ApiServerErrors",
            http_api.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=API_SERVER_ERRORS,
        )
        for function in functions:
            name = function.node.path.replace("/", "-")
            self._alarm(f"{name}-Errors", function.function.metric_errors(period=PERIOD))
            if function.dead_letter_queue is not None:
                self._alarm(
                    f"{name}-DeadLetters",
                    function.dead_letter_queue.metric_approximate_number_of_messages_visible(
                        period=PERIOD, statistic="Maximum"
                    ),
                )

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, threshold: float = 1) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
