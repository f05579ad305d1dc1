"""Open311 GeoReport v2 with an independent client: the `georeport` package
(PyPI, pinned in ./dev) against the real linli-server on 127.0.0.1.

georeport 0.3.1 reads services, service definitions and requests, in JSON
and XML; it does not create requests and sends no api_key when reading, so
the POST goes through `requests` as a form, as the spec has it, and reading
requests adds the api_key to georeport's query (this endpoint requires a key
to read requests: a city system reads only what it sent).

A street's endpoint (docs/open311.md) is read the same way, with the
street's key and `jurisdiction_id` a community of the street.

Run: LINLI_SERVER_BIN=target/debug/linli-server .tools/venv/bin/python tests/open311/test_georeport.py
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import georeport
import georeport.georeport as georeport_module
import requests

BIN = os.environ.get("LINLI_SERVER_BIN", "target/debug/linli-server")
PHONE = "13912345678"
EMAIL = "wang.xm@example.com"
ROOM = "长寿路100弄3号201室"

# The spec's field lists (GeoReport v2: GET services, GET requests, POST requests).
SERVICE_KEYS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_KEYS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
    "lat", "long", "media_url",
}
POSTED_KEYS = {"service_request_id", "service_notice", "account_id"}
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


class Server:
    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="linli-open311-")
        data = os.path.join(self.dir.name, "data")
        dist = os.path.join(self.dir.name, "dist")
        os.makedirs(dist)
        with open(os.path.join(dist, "index.html"), "w") as f:
            f.write("<!doctype html>")
        out = subprocess.run(
            [BIN, "community", "create", "--name", "测试社区", "--id", "c1", "--data", data],
            check=True, capture_output=True, text=True,
        ).stdout
        self.code = re.search(r"coordinator join code: (\S+)", out).group(1)
        # A street 西关街道 with c1 and a second community c2.
        def cli(*args):
            return subprocess.run([BIN, *args, "--data", data], check=True, capture_output=True, text=True).stdout
        cli("community", "create", "--name", "二社区", "--id", "c2")
        out = cli("street", "create", "--name", "西关街道", "--id", "s1")
        self.street_code = re.search(r"street coordinator join code: (\S+)", out).group(1)
        for c in ("c1", "c2"):
            cli("street", "add-community", "--street", "s1", "--community", c)
        self.proc = subprocess.Popen(
            [BIN, "serve", "--addr", "127.0.0.1:0", "--dist", dist, "--data", data],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for line in self.proc.stdout:
            m = re.search(r"serving at (http://127\.0\.0\.1:\d+)/", line)
            if m:
                self.url = m.group(1)
                break
        else:
            raise RuntimeError("the server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.dir.cleanup()


class GeoReportClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        base = cls.server.url
        joined = requests.post(f"{base}/api/v1/join", json={"code": cls.server.code, "display_name": "主任"})
        joined.raise_for_status()
        token = joined.json()["token"]
        made = requests.post(
            f"{base}/api/v1/communities/c1/open311/keys",
            json={"name": "12345 热线"},
            headers={"Authorization": f"Bearer {token}"},
        )
        made.raise_for_status()
        cls.key = made.json()["key"]
        cls.root = f"{base}/api/open311/v2/communities/c1/"
        # One request filed as a city system does: a form POST.
        posted = requests.post(cls.root + "requests.json", data={
            "api_key": cls.key,
            "service_code": "repair",
            "description": "楼道灯不亮\n晚上很黑",
            "address_string": ROOM,
            "first_name": "小明",
            "last_name": "王",
            "phone": PHONE,
            "email": EMAIL,
        })
        assert posted.status_code == 200, posted.text
        cls.posted = posted.json()
        cls.id = cls.posted[0]["service_request_id"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, fmt):
        return georeport.GeoReport(self.root, jurisdiction="c1", output_format=fmt)

    def with_key(self):
        """georeport sends no api_key on GET: add it to its query."""
        real_get = requests.get
        key = self.key

        def get(url, params=None, **kw):
            return real_get(url, params={**(params or {}), "api_key": key}, **kw)

        return mock.patch.object(georeport_module.requests, "get", get)

    def test_version_is_the_pinned_one(self):
        self.assertEqual(georeport.__version__, "0.3.1")

    def test_services_json_and_xml(self):
        js = self.client("json").get_service_list()
        xs = self.client("xml").get_service_list()
        self.assertEqual(len(js), 9)
        self.assertEqual(len(xs), 9)
        for s in js:
            self.assertEqual(set(s), SERVICE_KEYS)
            self.assertIs(s["metadata"], False)
            self.assertEqual(s["type"], "realtime")
        self.assertEqual([s["service_code"] for s in js], [s["service_code"] for s in xs])
        self.assertEqual(xs[0]["metadata"], "false")
        self.assertEqual(js[0]["service_name"], xs[0]["service_name"])

    def test_service_definition(self):
        d = self.client("json").get_service_definition("repair")
        self.assertEqual(d, {"service_code": "repair", "attributes": []})
        x = self.client("xml").get_service_definition("cleaning")
        self.assertEqual(x["service_code"], "cleaning")
        with self.assertRaises(requests.HTTPError) as e:
            self.client("json").get_service_definition("ufo")
        self.assertEqual(e.exception.response.status_code, 404)
        body = e.exception.response.json()
        self.assertEqual(set(body[0]) >= {"code", "description"}, True)
        self.assertEqual(body[0]["code"], 404)

    def test_post_answer_shape(self):
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(set(self.posted[0]), POSTED_KEYS)
        self.assertIsNone(self.posted[0]["account_id"])

    def test_requests_json_and_xml_show_nothing_private(self):
        with self.with_key():
            many = self.client("json").get_service_requests()
            one = self.client("json").get_service_request(self.id)
            xml_many = self.client("xml").get_service_requests()
            xml_one = self.client("xml").get_service_request(self.id)
            open_ = self.client("json").get_service_requests(status="open")
            closed = self.client("json").get_service_requests(status="closed")
            by_code = self.client("json").get_service_requests(service_code="cleaning")
            dated = self.client("json").get_service_requests(
                start_date="2010-01-01T00:00:00Z", end_date="2010-02-01T00:00:00Z")
            by_id = self.client("json").get_service_requests(service_request_id=self.id, status="closed")
        self.assertEqual(len(many), 1)
        r = many[0]
        self.assertEqual(set(r), REQUEST_KEYS)
        self.assertEqual(r, one)
        self.assertEqual(r["service_request_id"], self.id)
        self.assertEqual(r["status"], "open")
        self.assertEqual(r["service_code"], "repair")
        self.assertEqual(r["agency_responsible"], "测试社区")
        self.assertRegex(r["requested_datetime"], W3C)
        self.assertTrue(r["requested_datetime"].endswith("+08:00"))
        # xmltodict gives one request as a dict.
        self.assertEqual(xml_many["service_request_id"], self.id)
        self.assertEqual(xml_one["status"], "open")
        self.assertEqual(set(xml_one), REQUEST_KEYS)
        self.assertEqual((len(open_), len(closed), len(by_code), len(dated), len(by_id)), (1, 0, 0, 0, 1))
        shown = json.dumps([many, one, xml_many, xml_one], ensure_ascii=False)
        for private in (PHONE, EMAIL, ROOM, "小明"):
            self.assertNotIn(private, shown)

    def test_errors_are_the_specs_list(self):
        # Reading requests needs a key.
        with self.assertRaises(requests.HTTPError) as e:
            self.client("json").get_service_requests()
        self.assertEqual(e.exception.response.status_code, 403)
        self.assertEqual(e.exception.response.json()[0]["code"], 403)
        with self.assertRaises(requests.HTTPError) as e:
            self.client("xml").get_service_requests()
        self.assertIn("<errors><error><code>403</code>", e.exception.response.text)
        bad = requests.post(self.root + "requests.json", data={"api_key": self.key, "service_code": "ufo", "address_string": "x"})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()[0]["error_code"], "unknown_service_code")
        with self.with_key(), self.assertRaises(requests.HTTPError) as e:
            self.client("json").get_service_requests(start_date="last tuesday")
        self.assertEqual(e.exception.response.json()[0]["error_code"], "bad_date")


class StreetGeoReportClient(unittest.TestCase):
    """A street's endpoint: the street's key files in either community
    (jurisdiction_id required) and reads what it filed across both."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        base = cls.server.url
        joined = requests.post(f"{base}/api/v1/join", json={"code": cls.server.street_code, "display_name": "王主任"})
        joined.raise_for_status()
        made = requests.post(
            f"{base}/api/v1/communities/s1/open311/keys",
            json={"name": "12345 热线"},
            headers={"Authorization": f"Bearer {joined.json()['token']}"},
        )
        made.raise_for_status()
        cls.key = made.json()["key"]
        cls.root = f"{base}/api/open311/v2/streets/s1/"
        cls.ids = {}
        for c in ("c1", "c2"):
            posted = requests.post(cls.root + "requests.json", data={
                "api_key": cls.key,
                "jurisdiction_id": c,
                "service_code": "repair",
                "description": f"{c} 路灯不亮",
                "address_string": ROOM,
                "phone": PHONE,
            })
            assert posted.status_code == 200, posted.text
            assert set(posted.json()[0]) == POSTED_KEYS
            cls.ids[c] = posted.json()[0]["service_request_id"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, fmt, jurisdiction):
        return georeport.GeoReport(self.root, jurisdiction=jurisdiction, output_format=fmt)

    with_key = GeoReportClient.with_key

    def test_services_json_and_xml(self):
        js = self.client("json", "c1").get_service_list()
        xs = self.client("xml", "c2").get_service_list()
        self.assertEqual([s["service_code"] for s in js], [s["service_code"] for s in xs])
        self.assertEqual(set(js[0]), SERVICE_KEYS)
        self.assertEqual(self.client("json", "c2").get_service_definition("repair"), {"service_code": "repair", "attributes": []})

    def test_requests_across_the_street(self):
        with self.with_key():
            c1 = self.client("json", "c1").get_service_requests()
            c2 = self.client("xml", "c2").get_service_requests()
            one = self.client("json", "c2").get_service_request(self.ids["c2"])
        self.assertEqual([r["service_request_id"] for r in c1], [self.ids["c1"]])
        self.assertEqual(set(c1[0]), REQUEST_KEYS)
        self.assertEqual(c1[0]["agency_responsible"], "测试社区")
        self.assertEqual(c2["service_request_id"], self.ids["c2"])
        self.assertEqual(one["agency_responsible"], "二社区")
        # Without a jurisdiction: both (filed within the same few ms, so
        # newest first is not checked here).
        both = requests.get(self.root + "requests.json", params={"api_key": self.key})
        self.assertEqual(both.status_code, 200, both.text)
        self.assertEqual(sorted(r["service_request_id"] for r in both.json()), sorted(self.ids.values()))
        shown = json.dumps([c1, c2, one, both.json()], ensure_ascii=False)
        for private in (PHONE, ROOM):
            self.assertNotIn(private, shown)

    def test_jurisdiction_is_required_and_must_be_the_streets(self):
        form = {"api_key": self.key, "service_code": "repair", "address_string": "x"}
        missing = requests.post(self.root + "requests.json", data=form)
        self.assertEqual((missing.status_code, missing.json()[0]["error_code"]), (400, "missing_field"))
        other = requests.post(self.root + "requests.xml", data={**form, "jurisdiction_id": "nope"})
        self.assertEqual(other.status_code, 404)
        self.assertIn("<error_code>jurisdiction_not_found</error_code>", other.text)
        with self.assertRaises(requests.HTTPError) as e:
            self.client("json", "nope").get_service_list()
        self.assertEqual(e.exception.response.json()[0]["error_code"], "jurisdiction_not_found")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
