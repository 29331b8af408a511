"""What `chalice package --merge-template` cannot express, done on its output: names, log
groups and error alarms for every function, the Cognito authorizer on the writers' API, and
the checks that stop a template which would deploy but misbehave."""

from __future__ import annotations

import json
import re
from typing import Any

from infra.bytecode import AWS_ROOTS, TASK_ROOT
from infra.resources import PackagingError, StageNames

FUNCTION = "AWS::Serverless::Function"
API_ID = "RestAPI"
API_FUNCTION_ID = "APIHandler"
CHALICE_ROLE_ID = "DefaultRole"

AUTHORIZER = "writers"
PROTECTED_PREFIX = "/api/"
# Reachable without a Cognito token: Slack signs its own requests, the page and its assets
# carry nothing secret, the health check is for monitors, and the external review page and its
# decision are for people outside the company (their signed link is their only credential).
# Any other route must be under /api/ or be added here on purpose.
# /oauth/callback: the network sends the browser back without the sign-in header; the state
# it carries counts only with the cookie the admin's own browser got when Connect started.
PUBLIC_PATHS = frozenset({"/", "/config.json", "/health", "/slack/events", "/oauth/callback"})
PUBLIC_PREFIXES = ("/static/", "/review/")

# Values the template provides from the deployed resources. The same name in config.json
# would win in Lambda (function-level variables override SAM Globals): a stale literal could
# break sign-in or keep the functions on the old table after a restore.
TEMPLATE_ENVIRONMENT = ("FREIGABE_TABLE", "FREIGABE_PUBLISH_QUEUE", "FREIGABE_COGNITO_DOMAIN",
                        "FREIGABE_COGNITO_CLIENT_ID", "FREIGABE_PUBLIC_URL", "FREIGABE_MEDIA_BUCKET")
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PRIVATE|API_KEY", re.IGNORECASE)
SECRET_REFERENCE = re.compile(r"^(/|ssm:/|secretsmanager:|arn:)")
PLACEHOLDER_ACCOUNT = ":000000000000:"


def finish(template: dict[str, Any], names: StageNames, env: dict[str, str]) -> dict[str, Any]:
    resources: dict[str, Any] = template["Resources"]
    _check_merged(resources)
    template["Parameters"]["Stage"].update({"Default": names.stage, "AllowedValues": [names.stage]})
    for logical_id, function in _functions(resources).items():
        _finish_function(resources, logical_id, function, names)
    # botocore verifies AWS's endpoints against Amazon Trust Services' roots only
    # (infra/bytecode.py: its full bundle costs 36-46 ms of CPU per new connection); a stage's
    # environment_variables may name another bundle, e.g. /var/task/botocore/cacert.pem.
    variables = (template.setdefault("Globals", {}).setdefault("Function", {})
                 .setdefault("Environment", {}).setdefault("Variables", {}))
    variables.setdefault("AWS_CA_BUNDLE", f"{TASK_ROOT}/{AWS_ROOTS}")
    _drop_chalice_role(resources)
    _protect_api(resources, names)
    _check_queue_timeouts(resources)
    _check_environment(env, names)
    _check_no_placeholders(template)
    cycle = dependency_cycle(template)
    if cycle:
        raise PackagingError(f"CloudFormation would refuse a circular dependency: {' -> '.join(cycle)}")
    return template


def _functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in resources.items() if value.get("Type") == FUNCTION}


def _check_merged(resources: dict[str, Any]) -> None:
    """A resource without a Type is a merge-template entry whose Chalice resource is gone
    (a function renamed in app.py): the override would silently do nothing."""
    orphans = sorted(key for key, value in resources.items() if "Type" not in value)
    if orphans:
        raise PackagingError(f"infra/template.json overrides {orphans}, which chalice package no longer "
                             "emits: rename them to match app.py")


def function_name(function: dict[str, Any], names: StageNames) -> str:
    handler = str(function["Properties"]["Handler"])
    attribute = handler.rsplit(".", 1)[-1]
    return names.api_function if attribute == "app" else names.function(attribute)


def _finish_function(resources: dict[str, Any], logical_id: str, function: dict[str, Any],
                     names: StageNames) -> None:
    properties = function["Properties"]
    name = function_name(function, names)
    # Fixed names: the log group exists before the first invocation (Lambda would otherwise
    # create one without retention), and operators find `freigabe-prod-publish_worker`.
    properties["FunctionName"] = name
    log_group = f"{logical_id}LogGroup"
    resources[log_group] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": f"/aws/lambda/{name}",
                       "RetentionInDays": {"Ref": "LogRetentionDays"}},
    }
    # JSON logs from the runtime too, so metric filters match stdlib logging and Powertools alike.
    properties["LoggingConfig"] = {"LogFormat": "JSON", "LogGroup": {"Ref": log_group}}
    resources[f"{logical_id}ErrorsAlarm"] = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": f"{name}-errors",
            "AlarmDescription": f"{name} failed (an error or a timeout): read infra/README.md, 'Alarms'",
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": logical_id}}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }
    schedules = [event for event in (properties.get("Events") or {}).values()
                 if event.get("Type") == "Schedule"]
    for index, event in enumerate(schedules):
        # The rule carries the function's name, so `aws events disable-rule` finds it in a crisis.
        event["Properties"]["Name"] = name if index == 0 else f"{name}-{index}"
    role = properties.get("Role")
    if not (isinstance(role, dict) and role.get("Fn::GetAtt", [None])[0] != CHALICE_ROLE_ID):
        raise PackagingError(f"function {logical_id} has no role of its own: add {logical_id}Role to "
                             "infra/template.json with just the permissions it needs")


def _drop_chalice_role(resources: dict[str, Any]) -> None:
    """Chalice's generated role grants stream and queue access on every resource ('*');
    each function has its own role instead."""
    resources.pop(CHALICE_ROLE_ID, None)
    if f'"{CHALICE_ROLE_ID}"' in json.dumps(resources):
        raise PackagingError(f"something still refers to Chalice's {CHALICE_ROLE_ID}")


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _protect_api(resources: dict[str, Any], names: StageNames) -> None:
    body = resources[API_ID]["Properties"]["DefinitionBody"]
    body.setdefault("securityDefinitions", {})[AUTHORIZER] = {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "cognito_user_pools",
        "x-amazon-apigateway-authorizer": {
            "type": "cognito_user_pools",
            "providerARNs": [{"Fn::GetAtt": ["UserPool", "Arn"]}],
        },
    }
    # The integrations name the function by ARN instead of ${APIHandler.Arn}: otherwise the
    # API depends on the function, whose environment needs the Cognito client, whose
    # callback URL needs the API: a cycle CloudFormation refuses.
    function_arn = ("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
                    + names.api_function)
    for path, methods in body["paths"].items():
        protected = path.startswith(PROTECTED_PREFIX) and not is_public(path)
        if not protected and not is_public(path):
            raise PackagingError(f"route {path} is neither under {PROTECTED_PREFIX} nor public in "
                                 "infra/finish.py: decide whether writers must sign in for it")
        for method, operation in methods.items():
            integration = operation.get("x-amazon-apigateway-integration") or {}
            uri = integration.get("uri")
            if isinstance(uri, dict) and isinstance(uri.get("Fn::Sub"), str):
                uri["Fn::Sub"] = uri["Fn::Sub"].replace(f"${{{API_FUNCTION_ID}.Arn}}", function_arn)
            if protected and method != "options":  # CORS preflights carry no token
                operation["security"] = [{AUTHORIZER: []}]
            elif not protected:
                operation.pop("security", None)


def _check_queue_timeouts(resources: dict[str, Any]) -> None:
    for logical_id, function in _functions(resources).items():
        properties = function["Properties"]
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") != "SQS":
                continue
            queue = event["Properties"]["Queue"]
            queue_id = queue.get("Fn::GetAtt", [None])[0] if isinstance(queue, dict) else None
            if queue_id not in resources:
                raise PackagingError(f"{logical_id} reads a queue this stack does not create: {queue}")
            visibility = int(resources[queue_id]["Properties"].get("VisibilityTimeout", 30))
            timeout = int(properties.get("Timeout", 3))
            window = int(event["Properties"].get("MaximumBatchingWindowInSeconds", 0))
            if timeout * 6 + window > visibility:
                name = str(properties["Handler"]).rsplit(".", 1)[-1]
                raise PackagingError(
                    f"{name} may run {timeout} s but its queue hides a message for only {visibility} s; "
                    "AWS asks for a visibility timeout of at least 6x the function timeout plus the "
                    f"batching window: set lambda_functions.{name}.lambda_timeout <= "
                    f"{(visibility - window) // 6} in .chalice/config.json "
                    "or raise VISIBILITY_TIMEOUT_SECONDS in chalicelib/adapters/dynamodb/schema.py")


def _check_environment(env: dict[str, str], names: StageNames) -> None:
    for key in TEMPLATE_ENVIRONMENT:
        if key in env:
            raise PackagingError(f"{key} is set in .chalice/config.json for stage {names.stage}; the "
                                 "template provides it from the deployed resources: remove it there")
    if env.get("FREIGABE_AUTH", "cognito") != "cognito":
        raise PackagingError(f"FREIGABE_AUTH must be 'cognito' in stage {names.stage}")
    for key, value in env.items():
        if SECRET_NAME.search(key) and not SECRET_REFERENCE.match(str(value)):
            raise PackagingError(f"{key} in .chalice/config.json looks like a secret value; store it in SSM "
                                 f"under /freigabe/{names.stage}/ and put the reference there instead")
    reference = env.get("FREIGABE_SLACK_SECRETS", "")
    if not allowed_secret(reference, names.stage):
        raise PackagingError(f"FREIGABE_SLACK_SECRETS={reference!r}: the functions may only read /freigabe/"
                             f"{names.stage}/... (SSM) or freigabe/{names.stage}/... (Secrets Manager)")
    link_key = env.get("FREIGABE_LINK_KEY", "")
    if link_key and not allowed_secret(link_key, names.stage):
        raise PackagingError(f"FREIGABE_LINK_KEY={link_key!r}: the key that signs review links must be a "
                             f"secret the functions may read: ssm:/freigabe/{names.stage}/... or "
                             f"secretsmanager:freigabe/{names.stage}/...")


def allowed_secret(reference: str, stage: str) -> bool:
    """Whether the functions' roles may read this secret reference (see stage-secrets in template.json)."""
    kind, _, name = reference.partition(":")
    if kind == "ssm":
        return name.startswith(f"/freigabe/{stage}/")
    if kind == "secretsmanager":
        return name.startswith(f"freigabe/{stage}/")
    return reference.startswith(f"/freigabe/{stage}/")  # a bare path is an SSM parameter


def _check_no_placeholders(template: dict[str, Any]) -> None:
    text = json.dumps(template)
    if PLACEHOLDER_ACCOUNT in text or "set-at-deploy" in text:
        found = re.search(r'"([^"]*(?::000000000000:|set-at-deploy)[^"]*)"', text)
        raise PackagingError(f"a placeholder from app.py survived into the template: {found and found[1]}; "
                             "override it in infra/template.json")


SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")


def references(node: Any) -> set[str]:
    """Logical ids (and parameters) a piece of template refers to through Ref, GetAtt and Sub."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text, local = (value, {}) if isinstance(value, str) else (value[0], value[1])
                found |= {name.split(".")[0] for name in SUB_NAME.findall(text)} - set(local)
                found |= references(local)
            else:
                found |= references(value)
    return found


def dependency_cycle(template: dict[str, Any]) -> list[str]:
    """A cycle among the resources, or []. cfn-lint only sees it after the SAM transform,
    which it does not run: SAM Globals and the API definition hide the edges."""
    resources: dict[str, Any] = template["Resources"]
    inherited = references(template.get("Globals", {}).get("Function", {}))
    graph: dict[str, set[str]] = {}
    for key, resource in resources.items():
        edges = references(resource.get("Properties", {}))
        depends = resource.get("DependsOn", [])
        edges |= {depends} if isinstance(depends, str) else set(depends)
        if resource.get("Type") == FUNCTION:
            edges |= inherited
        graph[key] = edges & set(resources)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []
