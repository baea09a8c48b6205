"""nginx in front of the three instances: TLS, passive health checks, failover, a caching proxy.

Plain HTTP only answers 308 to https (HSTS then keeps browsers there). nginx connects to the
apps from its own loopback address, the only one whose X-Forwarded-* headers they trust.

POST requests are retried on the next instance (`non_idempotent`) because GraphQL reads are POSTs
too, and a mutation is one MongoDB transaction with its clientMutationId receipt: a retry either
finds the receipt (the first result comes back) or runs a transaction that never committed.
Clients that send mutations without a clientMutationId give up that guarantee (docs/deploy.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from crowdhire.dev.cluster import tls
from crowdhire.dev.cluster.layout import NGINX_SOURCE_ADDRESS, Layout, Ports
from crowdhire.dev.cluster.processes import Managed
from crowdhire.dev.servers import HOST

TEMPLATE = """\
daemon off;
{user}
worker_processes 1;
pid {run}/nginx.self.pid;
error_log {logs}/nginx-error.log warn;
events {{ worker_connections 1024; }}

http {{
    upstream crowdhire {{
        least_conn;
{servers}
        keepalive 16;
    }}
    # WebSocket (GraphQL subscriptions): pass the upgrade on; other requests keep the upstream
    # keepalive connection (an empty Connection header).
    map $http_upgrade $crowdhire_connection {{
        default upgrade;
        ""      "";
    }}
    map $http_x_request_id $crowdhire_request_id {{
        default $http_x_request_id;
        ""      $request_id;
    }}
    # A consent link's path is its token: the log keeps only that it was a consent page.
    map $uri $crowdhire_uri {{
        ~^/consent/ /consent/-;
        default     $uri;
    }}
    log_format crowdhire '$remote_addr "$request_method $crowdhire_uri" $status $request_time '
                         'rid=$crowdhire_request_id upstream=$upstream_addr';
    access_log {logs}/nginx-access.log crowdhire buffer=64k flush=1s;
    client_max_body_size 64k;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    # The caching proxy: public answers only (anonymous persisted GETs, `Cache-Control: public`).
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=crowdhire_public:10m max_size=64m
                     inactive=10m use_temp_path=off;

    server {{
        listen {host}:{port};
        return 308 https://$host:{tls_port}$request_uri;
    }}

    server {{
        listen {host}:{tls_port} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {certificate_key};
        ssl_protocols TLSv1.2 TLSv1.3;
        location = /metrics {{ return 404; }}
        location / {{
            proxy_pass http://crowdhire;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $crowdhire_connection;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;  # never what the client sent
            proxy_set_header X-Request-ID $crowdhire_request_id;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;  # above the subscription heartbeat (15 s)
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 20s;
            add_header X-Upstream $upstream_addr always;
            add_header Strict-Transport-Security "max-age=31536000" always;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_bind {source_address};
            # Caching proxy: honours the app's Cache-Control, never stores or serves a signed-in
            # request (the app also says `private, no-store` and `Vary: Authorization` there).
            proxy_cache crowdhire_public;
            proxy_cache_methods GET HEAD;
            proxy_cache_key "$request_method $host $request_uri $http_accept";
            proxy_cache_bypass $http_authorization $http_upgrade;
            proxy_no_cache $http_authorization $http_upgrade;
            proxy_cache_lock on;
            proxy_cache_background_update on;
            proxy_cache_use_stale updating error timeout http_502 http_503;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def process(layout: Layout, ports: Ports) -> Managed:
    """The nginx master process."""
    return Managed(layout, "nginx", ports.nginx)


def find_nginx() -> str:
    """nginx on PATH (Debian installs it in /usr/sbin)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/bin")
    if not found:
        raise RuntimeError("no nginx: run `apt-get install nginx` (as root)")
    return found


def write_config(layout: Layout, ports: Ports) -> Path:
    """nginx.conf for this cluster."""
    tmp = layout.root / "nginx-tmp"
    tmp.mkdir(exist_ok=True)
    servers = "\n".join(f"        server {HOST}:{port} max_fails=1 fail_timeout=5s;"
                        for port in ports.apps)  # fmt: skip
    certificate, certificate_key = tls.ensure_certificates(layout, HOST)
    text = TEMPLATE.format(
        tls_port=ports.nginx_tls, certificate=certificate, certificate_key=certificate_key,
        source_address=NGINX_SOURCE_ADDRESS,
        user="user root;" if os.geteuid() == 0 else "",  # workers write temp files in our dir
        run=layout.run, logs=layout.logs, tmp=tmp, servers=servers, host=HOST, port=ports.nginx,
    )  # fmt: skip
    path = layout.root / "nginx.conf"
    path.write_text(text)
    return path


def start(layout: Layout, ports: Ports) -> None:
    """Start nginx (master in the foreground of its own session)."""
    config = write_config(layout, ports)
    error_log = str(layout.logs / "nginx-error.log")
    process(layout, ports).spawn(
        [find_nginx(), "-p", str(layout.root), "-c", str(config), "-e", error_log]
    )
