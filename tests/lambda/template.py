"""The packaged template (build/<stage>/sam.json) read as AWS would deploy it into the emulator:
intrinsic functions resolved to the emulator's names, each function's handler, environment
and role, and an evaluation of the role's statements for the AWS calls a function made."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-central-1"
PARTITION = "aws"
FUNCTION = "AWS::Serverless::Function"


class Resolver:
    """Fn::Sub, Fn::GetAtt, Ref, Fn::If, Fn::Join on the template, with the conditions false
    (no restored table) and resources named as the template names them."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str], stream_arn: str = "") -> None:
        self.template = template
        self.resources: dict[str, Any] = template["Resources"]
        self.pseudo = {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                       "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "freigabe"}
        defaults = {name: str(spec.get("Default", ""))
                    for name, spec in template.get("Parameters", {}).items()}
        self.parameters = {**defaults, **parameters}
        self.stream_arn = stream_arn

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            key, value = next(iter(node.items()))
            if key == "Ref":
                return self.ref(value)
            if key == "Fn::GetAtt":
                return self.get_att(*(value if isinstance(value, list) else value.split(".", 1)))
            if key == "Fn::Sub":
                return self.sub(value)
            if key == "Fn::If":
                return self(value[2])  # the template's conditions are about a restored table: off
            if key == "Fn::Join":
                return str(value[0]).join(str(self(part)) for part in value[1])
        return {key: self(value) for key, value in node.items()}

    def ref(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.resources[name]
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            return str(self(properties["TableName"]))
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self(properties['QueueName'])}"
        if kind == "AWS::Logs::LogGroup":
            return str(self(properties["LogGroupName"]))
        if kind == FUNCTION:
            return str(self(properties["FunctionName"]))
        if kind == "AWS::S3::Bucket":
            # CloudFormation names it <stack>-<logical id>-<random>, lowercase.
            return f"freigabe-{name.lower()}-1a2b3c4d5e6f"
        return f"{name.lower()}-id"  # API ids, user pools, topics: not called by the functions

    def get_att(self, name: str, attribute: str) -> str:
        resource = self.resources[name]
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::SQS::Queue":
            queue = str(self(properties["QueueName"]))
            return queue if attribute == "QueueName" else f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{queue}"
        if kind == "AWS::DynamoDB::Table":
            table = self.ref(name)
            return self.stream_arn if attribute == "StreamArn" else \
                f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{self.ref(name)}:*"
        if kind == "AWS::IAM::Role":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}"
        if kind == "AWS::KMS::Key":
            return f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{name.lower()}-0000-0000"
        if kind == FUNCTION:
            return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{self.ref(name)}"
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:{PARTITION}:s3:::{self.ref(name)}"
        return f"{name.lower()}-{attribute.lower()}"

    def sub(self, value: Any) -> str:
        text, names = (value, {}) if isinstance(value, str) else (value[0], value[1])
        local = {key: self(item) for key, item in names.items()}

        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in local:
                return str(local[key])
            if "." in key:
                return self.get_att(*key.split(".", 1))
            return self.ref(key)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    handler: str
    runtime: str
    memory: int
    timeout: int
    environment: dict[str, str]
    statements: list[dict[str, Any]]

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{self.name}"


def functions(template: dict[str, Any], resolve: Resolver) -> dict[str, Function]:
    found = {}
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != FUNCTION:
            continue
        properties = resource["Properties"]
        role_id = properties["Role"]["Fn::GetAtt"][0]
        role = template["Resources"][role_id]["Properties"]
        # The role's inline policies, and policies attached to it by their own resource (used
        # where the policy names a resource that names the role: a key policy).
        attached = [r["Properties"] for r in template["Resources"].values()
                    if r["Type"] == "AWS::IAM::Policy"
                    and {"Ref": role_id} in r["Properties"].get("Roles", [])]
        statements = [statement for policy in [*role.get("Policies", []), *attached]
                      for statement in resolve(policy["PolicyDocument"])["Statement"]]
        own_env = properties.get("Environment", {}).get("Variables", {})
        environment = {**resolve(globals_env), **resolve(own_env)}
        found[logical_id] = Function(
            logical_id=logical_id, name=str(resolve(properties["FunctionName"])),
            handler=properties["Handler"], runtime=properties["Runtime"],
            memory=int(properties.get("MemorySize", 128)), timeout=int(properties.get("Timeout", 3)),
            environment={key: str(value) for key, value in environment.items()}, statements=statements)
    return found


# -- what a call needs in IAM ---------------------------------------------------------------------

def _table_arn(table: str) -> str:
    return table if table.startswith("arn:") else f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{table}"


def _queue_arn(url_or_name: str) -> str:
    name = url_or_name.rstrip("/").rsplit("/", 1)[-1]
    return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}"


TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
SQS_BATCH = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
             "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def _object_arn(bucket: str, key: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}/{key}"


def _s3(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """S3's object calls. Reading an object also needs s3:ListBucket on its bucket: without
    it S3 answers a missing key with 403 instead of 404, and the code relies on the 404."""
    bucket = str(params.get("Bucket", ""))
    listing = ("s3:ListBucket", f"arn:{PARTITION}:s3:::{bucket}")
    target = _object_arn(bucket, str(params.get("Key", "")))
    tagging = [("s3:PutObjectTagging", target)] if params.get("Tagging") else []
    if operation in ("GetObject", "HeadObject"):
        return [("s3:GetObject", target), listing]
    if operation == "PutObject":
        return [("s3:PutObject", target), *tagging]
    if operation == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, str):
            source_bucket, _, source_key = source.lstrip("/").partition("/")
        else:
            source_bucket, source_key = source["Bucket"], source["Key"]
        return [("s3:GetObject", _object_arn(source_bucket, source_key)), listing,
                ("s3:PutObject", target), *tagging]
    if operation in ("DeleteObject", "PutObjectTagging", "GetObjectTagging"):
        return [(f"s3:{operation}", target)]
    if operation in ("ListObjectsV2", "ListObjects"):
        return [listing]
    raise AssertionError(f"tests/lambda/template.py does not know what s3.{operation} needs in IAM")


def required(call: dict[str, Any]) -> list[tuple[str, str]]:
    """(IAM action, resource ARN) pairs a recorded botocore call needs. An unknown call raises:
    the test must learn it before it can say whether the role allows it."""
    service, operation, params = call["service"], call["operation"], call["params"]
    if service == "dynamodb":
        if operation in ("TransactWriteItems", "TransactGetItems"):
            # No IAM action of their own: each item needs its operation on its table.
            pairs = []
            for item in params["TransactItems"]:
                kind, spec = next(iter(item.items()))
                pairs.append((f"dynamodb:{TRANSACT_ACTIONS[kind]}", _table_arn(spec["TableName"])))
            return pairs
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", _table_arn(table)) for table in params["RequestItems"]]
        if "TableName" in params:
            arn = _table_arn(params["TableName"])
            if params.get("IndexName"):
                arn += f"/index/{params['IndexName']}"
            return [(f"dynamodb:{operation}", arn)]
    if service == "dynamodbstreams" and "StreamArn" in params:
        return [(f"dynamodb:{operation}", params["StreamArn"])]
    if service == "sqs":
        action = f"sqs:{SQS_BATCH.get(operation, operation)}"
        if "QueueUrl" in params:
            return [(action, _queue_arn(params["QueueUrl"]))]
        if operation == "GetQueueUrl":
            return [(action, _queue_arn(params["QueueName"]))]
    if service == "ssm":
        names = params.get("Names") or [params.get("Name") or params.get("Path")]
        return [(f"ssm:{operation}",
                 f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/{str(name).lstrip('/')}")
                for name in names]
    if service == "secretsmanager" and "SecretId" in params:
        secret = str(params["SecretId"])
        arn = secret if secret.startswith("arn:") else \
            f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:{secret}-AbCdEf"
        return [(f"secretsmanager:{operation}", arn)]
    if service == "logs" and "logGroupName" in params:
        # CloudFormation's log group Arn ends in ':*'; streams are named below it.
        group = f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{params['logGroupName']}"
        stream = params.get("logStreamName")
        return [(f"logs:{operation}", f"{group}:log-stream:{stream}" if stream else f"{group}:*")]
    if service == "logs" and operation == "DescribeLogGroups":
        return [("logs:DescribeLogGroups", f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:*")]
    if service == "kms" and "KeyId" in params:
        key = str(params["KeyId"])
        arn = key if key.startswith("arn:") else f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{key}"
        return [(f"kms:{operation}", arn)]
    if service == "s3":
        return _s3(operation, params)
    if service == "lambda" and operation == "Invoke":
        function = str(params["FunctionName"])
        arn = function if function.startswith("arn:") else \
            f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{function}"
        return [("lambda:InvokeFunction", arn)]
    raise AssertionError(f"tests/lambda/template.py does not know what {service}.{operation} needs in IAM")


def _matches(patterns: Any, value: str, *, ignore_case: bool) -> bool:
    for pattern in patterns if isinstance(patterns, list) else [patterns]:
        if ignore_case and fnmatch.fnmatchcase(value.lower(), str(pattern).lower()):
            return True
        if not ignore_case and fnmatch.fnmatchcase(value, str(pattern)):
            return True
    return False


def allowed(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    """Identity-policy evaluation without conditions: an explicit Deny wins, else some Allow
    must name the action and the resource. Statements with a Condition are about calls AWS
    makes on the function's behalf (kms:Decrypt via SSM) and allow nothing here."""
    def applies(statement: dict[str, Any]) -> bool:
        return (_matches(statement.get("Action", []), action, ignore_case=True)
                and _matches(statement.get("Resource", []), resource, ignore_case=False))

    if any(s.get("Effect") == "Deny" and applies(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and "Condition" not in s and applies(s) for s in statements)


def denied_calls(function: Function, calls: list[dict[str, Any]]) -> list[str]:
    """Each call the function's role does not allow, as 'service.Operation needs action on resource'."""
    refused = []
    for call in calls:
        for action, resource in required(call):
            if not allowed(function.statements, action, resource):
                where = " <- ".join(reversed(call.get("where") or []))
                refused.append(f"{call['service']}.{call['operation']} needs {action} on {resource}"
                               + (f" (from {where})" if where else ""))
    return refused
