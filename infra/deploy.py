"""Deploy Freigabe to an AWS account: `python -m infra.deploy --stage dev`.

Packages the stage (infra/package.py), uploads the code and the template to an S3 bucket,
creates or updates the CloudFormation stack `freigabe-<stage>` through a change set, waits,
and prints the URLs people need. Credentials and region come from the usual AWS sources
(environment, profile, SSO); nothing here stores them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from infra import package, resources
from infra.resources import PackagingError

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]  # roles; the SAM transform
# Artifacts are only read while CloudFormation creates or rolls back functions.
ARTIFACT_DAYS = 90
SHOWN_OUTPUTS = (("ApiUrl", "Web form and API"), ("SlackRequestUrl", "Slack request URL"),
                 ("HostedUiUrl", "Cognito hosted UI"), ("UserPoolId", "Writers' user pool"),
                 ("AlarmTopicArn", "Alarm topic"))


class DeployError(RuntimeError):
    pass


def default_bucket(account: str, region: str) -> str:
    return f"freigabe-deploy-{account}-{region}"


def point_code_at(template: dict[str, Any], bucket: str, key: str) -> dict[str, Any]:
    """Chalice writes a local CodeUri; CloudFormation needs the uploaded object."""
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = {"Bucket": bucket, "Key": key}
    return template


# Parameters without a default in template.json (so that cfn-lint does not check an ARN
# pattern against an empty default), and their value on a stack's first deploy.
FIRST_VALUES = {"RestoredTableName": "", "RestoredTableStreamArn": ""}


def stack_parameters(requested: dict[str, str | None], existing: set[str]) -> list[dict[str, Any]]:
    """Given values win; others keep the stack's current value (an omitted parameter would
    fall back to its default and, say, drop the alarm e-mail subscription)."""
    parameters: list[dict[str, Any]] = []
    for key, value in requested.items():
        if value is None and key not in existing:
            value = FIRST_VALUES.get(key)
        if value is not None:
            parameters.append({"ParameterKey": key, "ParameterValue": value})
        elif key in existing:
            parameters.append({"ParameterKey": key, "UsePreviousValue": True})
    return parameters


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise DeployError(f"bucket {bucket} exists but is not yours ({err}); pass --bucket") from err
    print(f"Creating artifact bucket {bucket} ...")
    arguments: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":  # us-east-1 refuses its own name as a location constraint
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**arguments)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "expire-old-artifacts", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Expiration": {"Days": ARTIFACT_DAYS}}]})


def upload(s3: Any, bucket: str, key: str, body: bytes) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return  # content-addressed: the same key holds the same bytes
    except ClientError:
        pass
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def missing_secret(session: Any, reference: str) -> str | None:
    """A message when the Slack secrets are not stored yet (checked by name, never read)."""
    from botocore.exceptions import ClientError

    kind, _, name = reference.partition(":")
    value = "'{\"bot_token\": \"xoxb-...\", \"signing_secret\": \"...\"}'"
    try:
        if kind == "secretsmanager":
            try:
                session.client("secretsmanager").describe_secret(SecretId=name)
                return None
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
            command = f"aws secretsmanager create-secret --name {name} --secret-string {value}"
        else:
            name = name if kind == "ssm" else reference
            found = session.client("ssm").describe_parameters(
                ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])["Parameters"]
            if found:
                return None
            command = f"aws ssm put-parameter --name {name} --type SecureString --value {value}"
    except ClientError as err:
        return f"could not check the Slack secrets {reference}: {err}"
    return f"the Slack secrets {reference} are not stored yet; Slack requests fail until you run\n  {command}"


def missing_link_key(session: Any, reference: str) -> str | None:
    """A message when the key that signs external review links is not stored yet (checked by
    name, never read). Without it the authors' review links answer 503; nothing else changes."""
    from botocore.exceptions import ClientError

    kind, _, name = reference.partition(":")
    if kind != "ssm" or not name:
        return None  # not configured, or in Secrets Manager: nothing to suggest here
    try:
        found = session.client("ssm").describe_parameters(
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])["Parameters"]
    except ClientError as err:
        return f"could not check the review link key {reference}: {err}"
    if found:
        return None
    return (f"the review link key {reference} is not stored yet; review links fail until you run\n"
            f"  openssl rand -base64 48 | tr -d '\\n' > /tmp/link-key && aws ssm put-parameter "
            f"--name {name} --type SecureString --value file:///tmp/link-key && shred -u /tmp/link-key")


def stack_status(cfn: Any, stack: str) -> tuple[str | None, set[str]]:
    from botocore.exceptions import ClientError

    try:
        found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as err:
        if "does not exist" in str(err):
            return None, set()
        raise
    return found["StackStatus"], {p["ParameterKey"] for p in found.get("Parameters", [])}


def failure_reasons(cfn: Any, stack: str, since: float) -> list[str]:
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason', '')}"
            for event in reversed(events)
            if event["ResourceStatus"].endswith("FAILED") and event["Timestamp"].timestamp() >= since]


def deploy_stack(cfn: Any, stack: str, template_url: str, requested: dict[str, str | None],
                 tags: dict[str, str]) -> None:
    from botocore.exceptions import WaiterError

    status, existing = stack_status(cfn, stack)
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(f"stack {stack} failed its first creation and must be deleted first: "
                          "see infra/README.md, 'If the first deploy fails'")
    change_type = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    change_set = f"{stack}-{int(time.time())}"
    started = time.time()
    cfn.create_change_set(
        StackName=stack, ChangeSetName=change_set, ChangeSetType=change_type, TemplateURL=template_url,
        Parameters=stack_parameters(requested, existing), Capabilities=CAPABILITIES,
        Tags=[{"Key": key, "Value": value} for key, value in tags.items()])
    try:
        cfn.get_waiter("change_set_create_complete").wait(
            StackName=stack, ChangeSetName=change_set, WaiterConfig={"Delay": 5, "MaxAttempts": 120})
    except WaiterError as err:
        reason = cfn.describe_change_set(StackName=stack, ChangeSetName=change_set).get("StatusReason", "")
        if "didn't contain changes" in reason or "No updates" in reason:
            cfn.delete_change_set(StackName=stack, ChangeSetName=change_set)
            print(f"Stack {stack} is up to date.")
            return
        raise DeployError(f"change set failed: {reason}") from err
    print(f"{'Creating' if change_type == 'CREATE' else 'Updating'} stack {stack} ...")
    cfn.execute_change_set(StackName=stack, ChangeSetName=change_set)
    waiter = "stack_create_complete" if change_type == "CREATE" else "stack_update_complete"
    try:
        cfn.get_waiter(waiter).wait(StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 180})
    except WaiterError as err:
        reasons = "\n  ".join(failure_reasons(cfn, stack, started)) or str(err)
        raise DeployError(f"stack {stack} did not deploy:\n  {reasons}") from err


def outputs(cfn: Any, stack: str) -> dict[str, str]:
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {item["OutputKey"]: item["OutputValue"] for item in found.get("Outputs", [])}


def deploy(args: argparse.Namespace) -> dict[str, str]:
    import boto3

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    region = session.region_name
    if not region:
        raise DeployError("no AWS region: set AWS_REGION or pass --region")
    stack = args.stack_name or f"freigabe-{args.stage}"
    out_dir = package.ROOT / "build" / args.stage
    template_path = package.build(args.stage, out_dir)
    env = resources.stage_environment(package.load_config(), args.stage)
    for warning in package.check_workflow(package.ROOT, env, args.stage):
        print(f"warning: {warning}", file=sys.stderr)

    account = session.client("sts").get_caller_identity()["Account"]
    bucket = args.bucket or default_bucket(account, region)
    s3 = session.client("s3")
    ensure_bucket(s3, bucket, region)
    code = (out_dir / "deployment.zip").read_bytes()
    code_key = f"{args.stage}/code-{hashlib.sha256(code).hexdigest()[:20]}.zip"
    upload(s3, bucket, code_key, code)
    template = point_code_at(json.loads(Path(template_path).read_text(encoding="utf-8")), bucket, code_key)
    body = json.dumps(template, indent=1).encode("utf-8")
    template_key = f"{args.stage}/template-{hashlib.sha256(body).hexdigest()[:20]}.json"
    upload(s3, bucket, template_key, body)

    notice = missing_secret(session, env.get("FREIGABE_SLACK_SECRETS", ""))
    if notice:
        print(f"warning: {notice}", file=sys.stderr)
    notice = missing_link_key(session, env.get("FREIGABE_LINK_KEY", ""))
    if notice:
        print(f"warning: {notice}", file=sys.stderr)
    cfn = session.client("cloudformation")
    deploy_stack(cfn, stack, f"https://{bucket}.s3.{region}.amazonaws.com/{template_key}",
                 {"AlarmEmail": args.alarm_email, "LogRetentionDays": args.log_retention_days,
                  "RestoredTableName": args.restored_table,
                  "RestoredTableStreamArn": args.restored_table_stream},
                 {"app": "freigabe", "stage": args.stage})
    return outputs(cfn, stack)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--region", help="default: AWS_REGION / the profile's region")
    parser.add_argument("--profile", help="an AWS CLI profile (default: the usual credential chain)")
    parser.add_argument("--bucket", help="artifact bucket (default: freigabe-deploy-<account>-<region>)")
    parser.add_argument("--stack-name", help="default: freigabe-<stage>")
    parser.add_argument("--alarm-email", help="subscribe this address to the alarms ('' removes it)")
    parser.add_argument("--log-retention-days", help="how long logs are kept (default 30)")
    parser.add_argument("--restored-table", help="switch to this restored table (infra/README.md, 8.)")
    parser.add_argument("--restored-table-stream", help="the restored table's LatestStreamArn")
    args = parser.parse_args(argv)
    if (args.restored_table is None) != (args.restored_table_stream is None):
        parser.error("--restored-table and --restored-table-stream go together")
    try:
        found = deploy(args)
    except (DeployError, PackagingError) as err:
        print(f"deploy: {err}", file=sys.stderr)
        return 1
    print()
    for key, label in SHOWN_OUTPUTS:
        if key in found:
            print(f"{label + ':':<22} {found[key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
