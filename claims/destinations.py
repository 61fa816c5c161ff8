"""Where webhooks may be sent: public internet addresses only, unless the deployment allows its
own network (WEBHOOK_ALLOW_PRIVATE_ADDRESSES).

Any signed-in user may register a webhook, and the worker POSTs from inside the deployment:
without this, a URL naming 127.0.0.1, the database's address or a cloud metadata service
(169.254.169.254) would make the service knock on doors its users cannot reach. A name is
checked when it is registered and again at each connection, on the address actually dialled,
so a name that later resolves elsewhere (DNS rebinding) is refused too.
"""

import http.client
import ipaddress
import socket
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


class PrivateDestination(OSError):
    """The URL's host is, or resolves to, an address inside a private network."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _allowed(address: str) -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES or is_public(address)


def check_url(url: str) -> None:
    """ValidationError on `url` when its host names a private address. A name that does not
    resolve now is let through: delivery checks again and fails until it does."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError):
        return
    refused = sorted(a for a in addresses if not _allowed(a))
    if refused:
        raise ValidationError({"url": f"{host} is a private or local address ({refused[0]}): "
                                      "webhooks are delivered to public addresses only."})


def _connect(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """socket.create_connection, dialling only addresses this module allows."""
    host, port = address
    error = None
    for family, kind, proto, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if not _allowed(sockaddr[0]):
            error = PrivateDestination(f"{host} resolves to a private or local address ({sockaddr[0]})")
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            error = failed
            sock.close()
    raise error or OSError(f"{host} does not resolve")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


def opener(*handlers) -> urllib.request.OpenerDirector:
    """A urllib opener whose connections go to allowed addresses only (proxies from the
    environment are not used: they would dial on our behalf, past the check)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _HTTPHandler,
                                       _HTTPSHandler, *handlers)
