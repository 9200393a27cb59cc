#
# nestjs-cache-page for Varnish 7 with the xkey vmod (Debian/Ubuntu: apt-get install varnish-modules).
#
# Keeps the pages the app marks edge-cacheable (`Surrogate-Control: max-age=N`) for N seconds and
# forgets them when the app purges their surrogate keys (the `xkey` response header), with a
# `PURGE` request (`xkey-purge: <keys>`, or `xkey-softpurge`) or a `BAN` request
# (`x-cache-page-ban: <keys>`) from an address in the acl `cache_page_purgers` (loopback here).
#
# It declares no backend. Your VCL declares the backends, then `include "cache-page.vcl";` LAST:
#
#   vcl 4.1;
#   backend app { .host = "127.0.0.1"; .port = "3000"; }
#   acl app_servers { "10.0.0.0"/24; }          # optional: more addresses that may purge
#   sub vcl_recv {
#       set req.backend_hint = app;
#       if ((req.method == "PURGE" || req.method == "BAN") && client.ip ~ app_servers) {
#           call cache_page_purge;
#       }
#   }
#   include "cache-page.vcl";
#
# Varnish runs same-named subroutines in the order they appear, then its builtin VCL. This file
# ends vcl_recv (for GET and HEAD) and vcl_backend_response with a `return`, so your code in those
# two must come before the include; code after it would not run for them. Your vcl_backend_fetch,
# if any, must not return before the include (it notes which purge a fetch began after).
#
# Requests with cookies are answered from the cache: the app marks only pages that are the same
# for every visitor as edge-cacheable, and sends personal pages without `Surrogate-Control`.
# Requests with `Authorization`, and responses without `Surrogate-Control: max-age`, with
# `Surrogate-Control: no-store`, `Cache-Control: private` or `no-store`, or `Set-Cookie`, are not
# cached. Browsers get the app's own `Cache-Control` (`no-cache`), never `Surrogate-Control`.
#
vcl 4.1;

import std;
import xkey;
import var;

# Who may purge. Widen it with your own acl and `call cache_page_purge;` (above), or here.
acl cache_page_purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE" || req.method == "BAN") {
        # client.ip is the connection's peer (or the PROXY protocol's), never X-Forwarded-For.
        if (client.ip ~ cache_page_purgers) {
            call cache_page_purge;
        }
        return (synth(403, "Forbidden: not in acl cache_page_purgers"));
    }
    unset req.http.xkey-purge;
    unset req.http.xkey-softpurge;
    unset req.http.x-cache-page-ban;
    # The builtin's steps, but for the cookie one: see the header comment.
    call vcl_req_host;
    call vcl_req_method;
    call vcl_req_authorization;
    return (hash);
}

# Purges the keys of a PURGE or BAN request and answers it; call it only for allowed clients.
sub cache_page_purge {
    # A response already on its way from the app when a purge arrives may be the page the purge
    # removes: each purge leaves its own mark, and a fetch that saw another mark when it began is
    # delivered but not stored (vcl_backend_response).
    if (req.method == "PURGE" || req.method == "BAN") {
        var.global_set("cache_page_purge", req.xid);
    }
    if (req.method == "PURGE") {
        if (req.http.xkey-purge) {
            return (synth(200, "Purged " + xkey.purge(req.http.xkey-purge)));
        }
        if (req.http.xkey-softpurge) {
            return (synth(200, "Soft-purged " + xkey.softpurge(req.http.xkey-softpurge)));
        }
        return (synth(400, "PURGE needs an xkey-purge or xkey-softpurge header"));
    }
    if (req.method == "BAN") {
        if (req.http.x-cache-page-ban !~ "^[0-9A-Za-z_-]+( [0-9A-Za-z_-]+)*$") {
            return (synth(400, "BAN needs an x-cache-page-ban header of space-separated keys"));
        }
        # Only obj.* terms, so the ban lurker can retire it; a key matches only as a whole key.
        if (std.ban("obj.http.xkey ~ (^|[[:space:],])(" +
            regsuball(req.http.x-cache-page-ban, " ", "|") + ")([[:space:],]|$)")) {
            return (synth(200, "Banned"));
        }
        return (synth(500, "Ban failed: " + std.ban_error()));
    }
    return (synth(405, "Method Not Allowed"));
}

sub vcl_backend_fetch {
    var.set("cache_page_purge", var.global_get("cache_page_purge"));
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    if ("" + var.get("cache_page_purge") != "" + var.global_get("cache_page_purge")) {
        set beresp.ttl = 1s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Surrogate-Control !~ "(?i)(^|[\s,])max-age=\d+" ||
        beresp.http.Surrogate-Control ~ "(?i)no-store" ||
        beresp.http.Cache-Control ~ "(?i)private|no-store" ||
        beresp.http.Set-Cookie ||
        beresp.http.Vary == "*") {
        # Hit-for-miss: not stored, and the next request for it goes to the app at once.
        set beresp.ttl = 10s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.ttl = std.duration(
        regsub(beresp.http.Surrogate-Control, "(?i)^(.*[\s,])?max-age=(\d+).*$", "\2s"), 0s);
    # One xkey header, so that a ban sees every key.
    std.collect(beresp.http.xkey, " ");
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.Surrogate-Control;
    unset resp.http.xkey;
}
