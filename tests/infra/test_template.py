"""Offline checks of what `make deploy` would send to CloudFormation: the packaged template
passes cfn-lint, and it holds what operating Freigabe safely depends on.

GIVEN each AWS stage of .chalice/config.json packaged once (without dependencies, offline)
WHEN reading the finished template
THEN the table, queues, mappings, IAM, logs, Cognito and alarms are as infra/README.md says.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import keys, schema
from infra import package

ROOT = Path(__file__).resolve().parents[2]
STAGES = [name for name in package.load_config()["stages"] if name != "local"]

# Actions IAM cannot scope to a resource, so AWS requires "Resource": "*" for them.
STAR_RESOURCE_ACTIONS = {"dynamodb:ListStreams", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
                         "cloudwatch:PutMetricData"}
SECRET_VALUES = [
    re.compile(r"xox[abposre]-[0-9A-Za-z-]{8,}"),  # Slack tokens
    re.compile(r"xapp-[0-9A-Za-z-]{8,}"),
    re.compile(r"\b[0-9a-f]{32}\b"),  # the shape of a Slack signing secret
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
]
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PRIVATE|API_KEY", re.IGNORECASE)


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("packaged")
    return {stage: package.build(stage, out / stage, template_only=True) for stage in STAGES}


@pytest.fixture(scope="module", params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def template(packaged: dict[str, Path], stage: str) -> dict[str, Any]:
    return json.loads(packaged[stage].read_text(encoding="utf-8"))


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return of_type(template, "AWS::Serverless::Function")


def event(function: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [e["Properties"] for e in function["Properties"].get("Events", {}).values() if e["Type"] == kind]
    assert len(found) == 1, f"expected one {kind} event"
    return found[0]


def statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement in the template, with the resource that holds it."""
    for key, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])
                     if isinstance(policy, dict) and "PolicyDocument" in policy]
        if "PolicyDocument" in properties:
            documents.append(properties["PolicyDocument"])
        for document in documents:
            for statement in document["Statement"]:
                yield key, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resolve(value: Any, stage: str) -> str:
    """A Fn::Sub string as it reads in an account (pseudo parameters stay symbolic)."""
    text = value["Fn::Sub"] if isinstance(value, dict) and "Fn::Sub" in value else value
    assert isinstance(text, str), value
    return text.replace("${Stage}", stage)


# --- the template is valid ---------------------------------------------------------------------

def test_cfn_lint_reports_nothing(packaged: dict[str, Path]) -> None:
    # Warnings count too: none is ignored. (Informational notes, e.g. "log groups have no
    # DeletionPolicy", are cfn-lint's opt-in level and deliberately left at their defaults.)
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         *map(str, packaged.values())],
        capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_no_circular_dependency(template: dict[str, Any]) -> None:
    from infra.finish import dependency_cycle

    assert dependency_cycle(template) == []


def test_the_cycle_check_sees_the_api_cycle(template: dict[str, Any]) -> None:
    """The API referring to its function by ${APIHandler.Arn} (as Chalice writes it) closes a
    cycle through the Cognito client; cfn-lint cannot see it without the SAM transform."""
    from infra.finish import dependency_cycle

    text = json.dumps(template).replace(
        ":function:" + functions(template)["APIHandler"]["Properties"]["FunctionName"] + "/invocations",
        "/functions/${APIHandler.Arn}/invocations")
    assert dependency_cycle(json.loads(text))


def test_stage_is_pinned(template: dict[str, Any], stage: str) -> None:
    assert template["Parameters"]["Stage"]["AllowedValues"] == [stage]


# --- the table -----------------------------------------------------------------------------

def test_table_is_on_demand_protected_and_recoverable(template: dict[str, Any]) -> None:
    table = template["Resources"]["Table"]
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_idempotency_records_expire(template: dict[str, Any]) -> None:
    ttl = template["Resources"]["Table"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expiration", "Enabled": True}


def test_table_has_the_code_s_keys_indexes_and_stream(template: dict[str, Any]) -> None:
    properties = template["Resources"]["Table"]["Properties"]
    wanted = schema.table_definition(properties["TableName"])
    assert properties["KeySchema"] == wanted["KeySchema"]
    assert properties["GlobalSecondaryIndexes"] == wanted["GlobalSecondaryIndexes"]
    assert properties["AttributeDefinitions"] == wanted["AttributeDefinitions"]
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


TABLE_IN_USE = {"Fn::If": ["UseRestoredTable", {"Ref": "RestoredTableName"}, {"Ref": "Table"}]}
STREAM_IN_USE = {"Fn::If": ["UseRestoredTable", {"Ref": "RestoredTableStreamArn"},
                            {"Fn::GetAtt": ["Table", "StreamArn"]}]}


def test_functions_use_the_stack_s_table_and_queue(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FREIGABE_TABLE"] == TABLE_IN_USE
    assert variables["FREIGABE_PUBLISH_QUEUE"] == {"Fn::GetAtt": ["PublishQueue", "QueueName"]}
    for function in functions(template).values():
        local = function["Properties"]["Environment"]["Variables"]
        # A literal here would win over Globals and outlive a switch to a restored table.
        assert "FREIGABE_TABLE" not in local and "FREIGABE_PUBLISH_QUEUE" not in local


def test_the_stack_can_switch_to_a_restored_table(template: dict[str, Any]) -> None:
    assert template["Resources"]["Table"]["Condition"] == "KeepOwnTable"
    assert {"RestoredTableName", "RestoredTableStreamArn"} <= set(template["Parameters"])
    assert template["Outputs"]["TableName"]["Value"] == TABLE_IN_USE
    # Anything naming the stack's own table must do so through the switch (cfn-lint also
    # refuses a plain reference to a resource that a condition can remove).
    text = json.dumps({key: value for key, value in template["Resources"].items() if key != "Table"})
    plain = text.replace(json.dumps(TABLE_IN_USE), "").replace(json.dumps(STREAM_IN_USE), "")
    assert '"Table"' not in plain


# --- queues and event source mappings --------------------------------------------------------------

def test_publish_queue_has_a_dead_letter_queue(template: dict[str, Any]) -> None:
    queue = template["Resources"]["PublishQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["PublishDeadLetterQueue", "Arn"]},
        "maxReceiveCount": schema.MAX_RECEIVE_COUNT,
    }
    assert template["Resources"]["PublishDeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] == 1209600


def test_worker_reports_partial_batch_failures(template: dict[str, Any]) -> None:
    worker = functions(template)["PublishWorker"]
    sqs = event(worker, "SQS")
    assert sqs["Queue"] == {"Fn::GetAtt": ["PublishQueue", "Arn"]}
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    visibility = template["Resources"]["PublishQueue"]["Properties"]["VisibilityTimeout"]
    # AWS's rule for SQS consumers, or messages still being worked on are delivered again.
    assert worker["Properties"]["Timeout"] * 6 + sqs["MaximumBatchingWindowInSeconds"] <= visibility


def test_stream_mapping_reads_the_table_s_stream(template: dict[str, Any]) -> None:
    stream = event(functions(template)["RelayChanges"], "DynamoDB")
    assert stream["Stream"] == STREAM_IN_USE
    assert stream["StartingPosition"] == "TRIM_HORIZON"
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True
    assert 0 < stream["MaximumRetryAttempts"] <= 100
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["RelayFailureQueue", "Arn"]}


def test_no_placeholder_from_app_py_survives(template: dict[str, Any]) -> None:
    from app import TABLE_STREAM

    text = json.dumps(template)
    assert TABLE_STREAM not in text
    assert ":000000000000:" not in text


def test_schedules_are_named_after_their_functions(template: dict[str, Any]) -> None:
    for key, rate in (("PublishDue", "rate(1 minute)"), ("SendReminders", "rate(15 minutes)")):
        function = functions(template)[key]
        schedule = event(function, "Schedule")
        assert schedule["Schedule"] == rate
        assert schedule["Name"] == function["Properties"]["FunctionName"]


# --- IAM -----------------------------------------------------------------------------------

def test_no_wildcard_action_anywhere(template: dict[str, Any]) -> None:
    for holder, statement in statements(template):
        assert "NotAction" not in statement and "NotResource" not in statement, holder
        if statement["Effect"] == "Deny":
            continue  # a deny narrows: the image bucket refuses every action without TLS
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{holder}: {action}"


def test_star_resource_only_for_actions_aws_cannot_scope(template: dict[str, Any]) -> None:
    for holder, statement in statements(template):
        if "*" in as_list(statement.get("Resource")):
            assert set(as_list(statement["Action"])) <= STAR_RESOURCE_ACTIONS, holder


def test_every_function_has_a_role_of_its_own(template: dict[str, Any]) -> None:
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions(template).values()]
    assert len(set(roles)) == len(roles)
    assert "DefaultRole" not in template["Resources"]
    for role in roles:
        assert template["Resources"][role]["Type"] == "AWS::IAM::Role"


def test_api_function_may_invoke_itself_for_lazy_listeners(template: dict[str, Any], stage: str) -> None:
    api = functions(template)["APIHandler"]
    role = api["Properties"]["Role"]["Fn::GetAtt"][0]
    own_arn = ("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
               + api["Properties"]["FunctionName"])
    allowed = {resolve(resource, stage)
               for holder, statement in statements(template) if holder == role
               if "lambda:InvokeFunction" in as_list(statement["Action"])
               for resource in as_list(statement["Resource"])}
    assert own_arn in allowed
    others = {f["Properties"]["FunctionName"] for k, f in functions(template).items() if k != "APIHandler"}
    assert not any(arn.endswith(f":function:{name}") for arn in allowed for name in others)


def test_secrets_are_readable_only_under_the_stage_s_path(template: dict[str, Any], stage: str) -> None:
    for holder, statement in statements(template):
        actions = as_list(statement["Action"])
        if {"ssm:GetParameter", "secretsmanager:GetSecretValue"} & set(actions):
            for resource in as_list(statement["Resource"]):
                arn = resolve(resource, stage)
                assert re.search(rf"(parameter|secret:)/?freigabe/{stage}/\*$", arn), holder
        if "kms:Decrypt" in actions:
            assert "kms:ViaService" in statement["Condition"]["StringEquals"], holder


# --- logs and alarms -------------------------------------------------------------------------

def test_every_function_logs_to_its_own_group_with_retention(template: dict[str, Any]) -> None:
    groups = of_type(template, "AWS::Logs::LogGroup")
    for key, function in functions(template).items():
        logging = function["Properties"]["LoggingConfig"]
        group = groups[logging["LogGroup"]["Ref"]]["Properties"]
        assert group["LogGroupName"] == "/aws/lambda/" + function["Properties"]["FunctionName"], key
        assert logging["LogFormat"] == "JSON"
    assert groups and all("RetentionInDays" in group["Properties"] for group in groups.values())


def test_alarms_watch_dead_letters_failed_publishes_and_errors(template: dict[str, Any]) -> None:
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    watched = {json.dumps(alarm["Properties"].get("Dimensions", [])) for alarm in alarms.values()}
    assert json.dumps([{"Name": "QueueName",
                        "Value": {"Fn::GetAtt": ["PublishDeadLetterQueue", "QueueName"]}}]) in watched
    for key in functions(template):
        assert json.dumps([{"Name": "FunctionName", "Value": {"Ref": key}}]) in watched
    filters = {(f["Properties"]["LogGroupName"]["Ref"], f["Properties"]["FilterPattern"]):
               f["Properties"]["MetricTransformations"][0]["MetricName"]
               for f in of_type(template, "AWS::Logs::MetricFilter").values()}
    # Phrases, not JSON selectors: they match the line whether Chalice's own log handler (text)
    # or Lambda's JSON format writes it. The worker's refused publications, and the tick's
    # posts it had to hold (one post's inconsistency, told to the admins in Slack as well).
    assert set(filters) == {("PublishWorkerLogGroup", '"publish failed"'),
                            ("PublishDueLogGroup", '"publish held"')}
    for metric in filters.values():
        assert any(alarm["Properties"].get("MetricName") == metric for alarm in alarms.values())
    assert all(alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for alarm in alarms.values())


# --- secrets -------------------------------------------------------------------------------

def test_no_secret_in_plain_text(template: dict[str, Any]) -> None:
    text = json.dumps(template)
    for pattern in SECRET_VALUES:
        assert not pattern.search(text), pattern.pattern
    for key, function in functions(template).items():
        for name, value in function["Properties"]["Environment"]["Variables"].items():
            if SECRET_NAME.search(name):
                assert re.match(r"^(/|ssm:/|secretsmanager:)", str(value)), f"{key}: {name}"
    for name, parameter in template.get("Parameters", {}).items():
        if SECRET_NAME.search(name):
            assert parameter.get("NoEcho") is True, name


# --- Cognito and the API -----------------------------------------------------------------------

def test_cognito_authorizer_guards_the_api_but_not_slack_or_health(template: dict[str, Any]) -> None:
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    authorizer = body["securityDefinitions"]["writers"]["x-amazon-apigateway-authorizer"]
    assert authorizer == {"type": "cognito_user_pools", "providerARNs": [{"Fn::GetAtt": ["UserPool", "Arn"]}]}
    api_paths = [path for path in body["paths"] if path.startswith("/api/")]
    assert "/api/posts" in api_paths
    for path in api_paths:
        for method, operation in body["paths"][path].items():
            assert operation.get("security") == [{"writers": []}], f"{method.upper()} {path}"
    for path in ("/slack/events", "/health", "/"):
        for operation in body["paths"].get(path, {}).values():
            assert "security" not in operation, path
    assert "/slack/events" in body["paths"] and "/health" in body["paths"]


def test_writers_sign_in_with_code_flow_and_no_client_secret(template: dict[str, Any]) -> None:
    client = template["Resources"]["WritersClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["CallbackURLs"] == [template["Outputs"]["ApiUrl"]["Value"]]
    pool = template["Resources"]["UserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert template["Resources"]["UserPoolDomain"]["Type"] == "AWS::Cognito::UserPoolDomain"


def test_a_writer_cannot_change_their_email_without_verifying_it(template: dict[str, Any]) -> None:
    # Issue item 3: the API trusts the verified email claim; a change must be verified first.
    pool = template["Resources"]["UserPool"]["Properties"]
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert pool["AutoVerifiedAttributes"] == ["email"]


def test_the_web_client_allows_only_the_flows_the_hosted_ui_uses(template: dict[str, Any]) -> None:
    # No SRP or password flows: their tokens carry aws.cognito.signin.user.admin, with which a
    # user may change their own attributes. The hosted UI's code flow needs none of them.
    client = template["Resources"]["WritersClient"]["Properties"]
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert "aws.cognito.signin.user.admin" not in client["AllowedOAuthScopes"]


def test_outputs_name_the_urls_operators_need(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["SlackRequestUrl"]["Value"]["Fn::Sub"].endswith("/api/slack/events")
    assert outputs["ApiUrl"]["Value"]["Fn::Sub"].endswith("/api/")
    assert "amazoncognito.com" in outputs["HostedUiUrl"]["Value"]["Fn::Sub"]


def test_the_relay_is_woken_by_every_new_timeline_event_and_nothing_else(
        template: dict[str, Any]) -> None:
    # Every event, not only those carrying messages: each new chain head is anchored.
    functions = [r for r in template["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function"
                 and any(e.get("Type") == "DynamoDB" for e in r["Properties"].get("Events", {}).values())]
    assert len(functions) == 1
    (event,) = [e for e in functions[0]["Properties"]["Events"].values() if e["Type"] == "DynamoDB"]
    (pattern,) = [json.loads(f["Pattern"]) for f in event["Properties"]["FilterCriteria"]["Filters"]]
    assert pattern["eventName"] == ["INSERT"]
    assert pattern["dynamodb"]["Keys"]["SK"] == {"S": [{"prefix": keys.EVENT_PREFIX}]}


def test_only_the_relay_may_append_to_the_anchor_log_group(template: dict[str, Any]) -> None:
    group = template["Resources"]["AnchorLogGroup"]
    assert group["Type"] == "AWS::Logs::LogGroup" and group["DeletionPolicy"] == "Retain"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "AnchorRetentionDays"}
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FREIGABE_ANCHOR_LOG_GROUP"] == {"Ref": "AnchorLogGroup"}
    anchor = {"Fn::GetAtt": ["AnchorLogGroup", "Arn"]}
    granted = [(holder, statement) for holder, statement in statements(template)
               if anchor in as_list(statement.get("Resource"))
               or "AnchorLogGroup" in json.dumps(statement.get("Resource"))]
    # The API reads the anchored heads for evidence files, and nothing else.
    readers = [(h, s) for h, s in granted if as_list(s["Action"]) == ["logs:GetLogEvents"]]
    assert [holder for holder, _ in readers] == ["APIHandlerRole"]
    holders = [(h, s) for h, s in granted if (h, s) not in readers]
    assert [holder for holder, _ in holders] == ["RelayChangesRole"]
    (_, statement), = holders
    assert sorted(as_list(statement["Action"])) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert as_list(statement["Resource"]) == [anchor]


def test_the_relay_may_queue_a_post_it_takes_at_once(template: dict[str, Any]) -> None:
    # An approval without a publish time is claimed and queued by the relay (issue 12 item 5).
    queue = {"Fn::GetAtt": ["PublishQueue", "Arn"]}
    senders = {holder for holder, statement in statements(template)
               if queue in as_list(statement.get("Resource"))
               and "sqs:SendMessage" in as_list(statement["Action"])
               and "sqs:GetQueueUrl" in as_list(statement["Action"])}
    assert "RelayChangesRole" in senders


# --- the image bucket ----------------------------------------------------------------------------

MEDIA = "MediaBucket"


def test_the_image_bucket_is_private_encrypted_and_kept(template: dict[str, Any]) -> None:
    bucket = template["Resources"][MEDIA]
    assert bucket["Type"] == "AWS::S3::Bucket"
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True}
    (sse,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "VersioningConfiguration" not in properties


def test_the_image_bucket_refuses_every_request_without_tls(template: dict[str, Any]) -> None:
    policies = [r["Properties"] for r in of_type(template, "AWS::S3::BucketPolicy").values()
                if r["Properties"]["Bucket"] == {"Ref": MEDIA}]
    assert len(policies) == 1
    (statement,) = policies[0]["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "s3:*")
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = {"Fn::GetAtt": [MEDIA, "Arn"]}
    assert statement["Resource"] == [arn, {"Fn::Join": ["", [arn, "/*"]]}]


def test_only_the_web_page_may_upload_and_preview_from_the_browser(template: dict[str, Any]) -> None:
    (rule,) = template["Resources"][MEDIA]["Properties"]["CorsConfiguration"]["CorsRules"]
    page = template["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"].removesuffix("/api/")
    assert rule["AllowedOrigins"] == [{"Fn::Sub": page}]
    assert sorted(rule["AllowedMethods"]) == ["GET", "POST"]


def test_unattached_images_and_unchecked_uploads_expire_after_a_day(template: dict[str, Any]) -> None:
    rules = template["Resources"][MEDIA]["Properties"]["LifecycleConfiguration"]["Rules"]
    shapes = {(r["Prefix"], json.dumps(r.get("TagFilters")), r["ExpirationInDays"], r["Status"])
              for r in rules}
    assert shapes == {("uploads/", "null", 1, "Enabled"),
                      ("media/", json.dumps([{"Key": "freigabe-attached", "Value": "no"}]), 1, "Enabled")}


def test_every_function_knows_the_bucket(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FREIGABE_MEDIA_BUCKET"] == {"Ref": MEDIA}
    for function in functions(template).values():
        assert "FREIGABE_MEDIA_BUCKET" not in function["Properties"]["Environment"]["Variables"]


def test_botocore_verifies_aws_with_the_roots_the_package_carries(template: dict[str, Any]) -> None:
    """infra/bytecode.py writes aws_roots.pem; no function sets a bundle of its own."""
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["AWS_CA_BUNDLE"] == "/var/task/aws_roots.pem"
    for function in functions(template).values():
        assert "AWS_CA_BUNDLE" not in function["Properties"].get("Environment", {}).get("Variables", {})


def s3_grants(template: dict[str, Any], role: str) -> set[tuple[str, str]]:
    return {(action, resolve(resource, "x"))
            for holder, statement in statements(template) if holder == role
            and statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]) if action.startswith("s3:")
            for resource in as_list(statement["Resource"])}


def test_each_role_may_do_with_images_what_its_function_does(template: dict[str, Any]) -> None:
    bucket = "arn:${AWS::Partition}:s3:::${MediaBucket}"
    uploads, media = f"{bucket}/uploads/*", f"{bucket}/media/*"
    read = {("s3:GetObject", media), ("s3:ListBucket", bucket)}
    roles = {key: f["Properties"]["Role"]["Fn::GetAtt"][0] for key, f in functions(template).items()}
    # The API signs the browser's upload, checks it, keeps it under its sha256, attaches it.
    assert s3_grants(template, roles["APIHandler"]) == read | {
        ("s3:PutObject", uploads), ("s3:GetObject", uploads), ("s3:DeleteObject", uploads),
        ("s3:PutObject", media), ("s3:PutObjectTagging", media)}
    # The worker sends the bytes to the networks; the relay shows them in Slack. Neither writes.
    assert s3_grants(template, roles["PublishWorker"]) == read
    assert s3_grants(template, roles["RelayChanges"]) == read
    assert s3_grants(template, roles["PublishDue"]) == s3_grants(template, roles["SendReminders"]) == set()
    # Nobody may delete a checked image: bytes a post refers to are never lost or replaced.
    everyone = set().union(*(s3_grants(template, role) for role in roles.values()))
    assert ("s3:DeleteObject", media) not in everyone


def test_the_evidence_key_signs_for_the_api_alone(template: dict[str, Any]) -> None:
    key = template["Resources"]["EvidenceKey"]
    properties = key["Properties"]
    assert (properties["KeySpec"], properties["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    assert key["DeletionPolicy"] == "Retain"  # files signed years ago must still be checkable
    signers = [s for s in properties["KeyPolicy"]["Statement"]
               if any(a in ("kms:Sign", "kms:*") for a in as_list(s["Action"]))]
    assert [s["Principal"] for s in signers] == [{"AWS": {"Fn::GetAtt": ["APIHandlerRole", "Arn"]}}]
    assert sorted(as_list(signers[0]["Action"])) == ["kms:GetPublicKey", "kms:Sign"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FREIGABE_EVIDENCE_KEY"] == {"Fn::GetAtt": ["EvidenceKey", "Arn"]}
