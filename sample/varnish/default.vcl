#
# The sample blog behind Varnish: the user VCL of docs/varnish.md. `npm run start:varnish` runs it
# (sample/varnish/run.sh, which puts the blog's PORT in place of 3000 below).
#
vcl 4.1;

backend blog { .host = "127.0.0.1"; .port = "3000"; }

sub vcl_recv {
    set req.backend_hint = blog;
}

# Last: it ends vcl_recv and vcl_backend_response, so code of yours in those goes above it.
include "cache-page.vcl";
