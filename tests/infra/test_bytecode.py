"""infra/bytecode.py on a small package: stale bytecode goes, every module gets an
unchecked-hash .pyc that Python loads from a read-only tree without compiling, and a runtime
other than the packaging interpreter's is refused. The real package is checked in tests/lambda."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from infra import bytecode
from infra.resources import PackagingError

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def template(runtime: str = RUNTIME) -> dict[str, Any]:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": runtime, "Handler": "app.app"}}
    return {"Resources": {"APIHandler": function, "Worker": function}}


def package(tmp_path: Path) -> Path:
    path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.py", "import pkg.mod\nVALUE = pkg.mod.VALUE\n")
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/mod.py", "VALUE = 42\n")
        archive.writestr("pkg/broken.py", "print 'python 2'\n")
        # What a working tree leaves behind: bytecode of another version and of deleted modules.
        archive.writestr("pkg/__pycache__/mod.cpython-39.pyc", b"stale")
        archive.writestr("pkg/__pycache__/gone.cpython-311.pyc", b"stale")
        archive.writestr("old.pyc", b"stale")
        # ...and bytecode of this very version, with a source-mtime header Lambda cannot trust
        # (it used to stop the module from getting fresh bytecode at all).
        archive.writestr(f"pkg/__pycache__/mod.{sys.implementation.cache_tag}.pyc", b"stale")
    return path


def test_stale_bytecode_goes_and_every_module_gets_unchecked_hash_bytecode(tmp_path: Path) -> None:
    path = package(tmp_path)

    counts = bytecode.add_bytecode(path, template())

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        pycs = {name: archive.read(name) for name in names if name.endswith(".pyc")}
    assert counts == {"dropped": 4, "compiled": 3, "skipped": 1, "models": 0, "roots": 0}
    tag = sys.implementation.cache_tag
    assert set(pycs) == {f"__pycache__/app.{tag}.pyc", f"pkg/__pycache__/__init__.{tag}.pyc",
                         f"pkg/__pycache__/mod.{tag}.pyc"}
    assert {"app.py", "pkg/__init__.py", "pkg/mod.py", "pkg/broken.py"} <= names
    for data in pycs.values():
        assert data[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, not checked against source


def test_a_read_only_tree_imports_from_the_bytecode_without_compiling(tmp_path: Path) -> None:
    path = package(tmp_path)
    bytecode.add_bytecode(path, template())
    root = tmp_path / "task"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(root)
    for folder in (root, root / "pkg"):
        folder.chmod(0o555)
    probe = (
        "import sys\n"
        "sys.path.insert(0, '.')\n"
        "from importlib import _bootstrap_external as be\n"
        "compiled = []\n"
        "original = be.SourceLoader.source_to_code\n"
        "def counting(self, data, path, *args, **kwargs):\n"
        "    compiled.append(path)\n"
        "    return original(self, data, path, *args, **kwargs)\n"
        "be.SourceLoader.source_to_code = counting\n"
        "import app\n"
        "print(app.VALUE, compiled)\n"
    )
    result = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", probe], cwd=root,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "42 []"


def test_another_runtime_than_the_packaging_python_is_refused(tmp_path: Path) -> None:
    path = package(tmp_path)
    before = path.read_bytes()

    with pytest.raises(PackagingError, match=r"python3\.99"):
        bytecode.add_bytecode(path, template("python3.99"))
    assert path.read_bytes() == before


def test_functions_on_different_runtimes_are_refused() -> None:
    mixed = template()
    mixed["Resources"]["Worker"] = {"Type": "AWS::Serverless::Function",
                                    "Properties": {"Runtime": "python3.12"}}
    with pytest.raises(PackagingError, match="one Python runtime"):
        bytecode.runtime_of(mixed)


def granting(*actions: object) -> dict[str, Any]:
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": list(actions),
                                                        "Resource": "*"}]}}]}}
    granted = template()
    granted["Resources"]["Role"] = role
    return granted


def with_models(tmp_path: Path) -> Path:
    path = package(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("botocore/data/endpoints.json", "{}")
        archive.writestr("botocore/data/partitions.json", "{}")
        for service in ("dynamodb", "dynamodbstreams", "sqs", "sts", "ec2", "sagemaker"):
            archive.writestr(f"botocore/data/{service}/2012-08-10/service-2.json.gz", b"model")
        archive.writestr("boto3/data/ec2/2016-11-15/resources-1.json", "{}")  # not botocore's
    return path


def models_in(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return {name.split("/")[2] for name in archive.namelist()
                if name.startswith("botocore/data/") and name.count("/") > 2}


def test_only_the_models_of_services_the_template_grants_stay_in_the_package(tmp_path: Path) -> None:
    path = with_models(tmp_path)

    counts = bytecode.add_bytecode(path, granting("dynamodb:GetItem", "sqs:SendMessage"))

    # dynamodb's actions include its stream API (model "dynamodbstreams"); sts: the trust policy
    assert models_in(path) == {"dynamodb", "dynamodbstreams", "sqs", "sts"}
    assert counts["models"] == 2
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert {"botocore/data/endpoints.json", "botocore/data/partitions.json",
            "boto3/data/ec2/2016-11-15/resources-1.json", "app.py"} <= names


@pytest.mark.parametrize("action", ["*", {"Fn::Sub": "${Service}:GetItem"}])
def test_a_template_that_grants_everything_or_an_unknown_action_keeps_every_model(
        tmp_path: Path, action: object) -> None:
    path = with_models(tmp_path)

    counts = bytecode.add_bytecode(path, granting("sqs:SendMessage", action))

    assert models_in(path) == {"dynamodb", "dynamodbstreams", "sqs", "sts", "ec2", "sagemaker"}
    assert counts["models"] == 0


BOTOCORE_BUNDLE = Path(__import__("botocore").__file__).parent / "cacert.pem"


def test_aws_roots_pem_holds_amazon_trust_services_roots_from_botocores_bundle(tmp_path: Path) -> None:
    """botocore loads its CA bundle again for every new HTTPS connection; the functions load
    the five roots AWS's endpoints chain to instead of its 127."""
    import ssl

    path = package(tmp_path)
    bundle = BOTOCORE_BUNDLE.read_text(encoding="ascii")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("botocore/cacert.pem", bundle)

    counts = bytecode.add_bytecode(path, template())

    with zipfile.ZipFile(path) as archive:
        roots = archive.read("aws_roots.pem").decode("ascii")
        assert archive.read("botocore/cacert.pem").decode("ascii") == bundle  # kept whole
    assert counts["roots"] == 5
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=roots)
    assert context.cert_store_stats() == {"x509": 5, "crl": 0, "x509_ca": 5}
    names = sorted(dict(part[0] for part in cert["subject"])["commonName"] for cert in context.get_ca_certs())
    assert names == ["Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4",
                     "Starfield Services Root Certificate Authority - G2"]
    for block in roots.split("-----END CERTIFICATE-----")[:-1]:
        pem = block[block.index("-----BEGIN CERTIFICATE-----"):] + "-----END CERTIFICATE-----"
        assert pem in bundle  # byte for byte botocore's


def test_a_bundle_without_one_of_the_roots_is_refused(tmp_path: Path) -> None:
    path = package(tmp_path)
    bundle = BOTOCORE_BUNDLE.read_text(encoding="ascii").replace('# Label: "Amazon Root CA 3"', "")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("botocore/cacert.pem", bundle)
    before = path.read_bytes()

    with pytest.raises(PackagingError, match="Amazon Root CA 3"):
        bytecode.add_bytecode(path, template())
    assert path.read_bytes() == before
