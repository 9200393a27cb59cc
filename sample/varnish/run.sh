#!/usr/bin/env bash
#
# The sample blog behind Varnish: varnishd with sample/varnish/default.vcl (which includes the
# package's varnish/cache-page.vcl) on VARNISH_PORT (6081), the blog on PORT (3000) with
# SAMPLE_VARNISH_URL pointing at Varnish, so that every commit purges its pages there. Ctrl-C
# stops both. `npm run start:varnish` builds the sample and runs it; the blog's other switches
# (ADAPTER, DATABASE_URL, REDIS_URL, …) work as with `npm start`.
#
set -euo pipefail

if ! command -v varnishd >/dev/null; then
  echo "varnishd is not installed. On Debian or Ubuntu: sudo apt-get install varnish varnish-modules" >&2
  exit 1
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
app_port="${PORT:-3000}"
varnish_port="${VARNISH_PORT:-6081}"
if [[ ! "$app_port" =~ ^[1-9][0-9]*$ || ! "$varnish_port" =~ ^[1-9][0-9]*$ ]]; then
  echo "PORT and VARNISH_PORT must be port numbers (got \"$app_port\" and \"$varnish_port\")" >&2
  exit 1
fi
main="$root/sample/dist/main.js"
if [[ ! -f "$main" ]]; then
  echo "$main is missing: run \`npm run start:varnish\`, which builds it first" >&2
  exit 1
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/blog-varnish-XXXXXX")"
chmod 755 "$workdir" # varnishd's worker drops root's rights and reads its compiled VCL from here
varnish_pid=""
app_pid=""
stop() {
  trap - INT TERM EXIT
  [[ -n "$app_pid" ]] && kill -TERM "$app_pid" 2>/dev/null || true
  [[ -n "$varnish_pid" ]] && kill -TERM "$varnish_pid" 2>/dev/null || true
  wait
  rm -rf "$workdir"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

sed "s/\.port = \"3000\"/.port = \"$app_port\"/" "$here/default.vcl" >"$workdir/default.vcl"
varnish_args=(-n "$workdir" -f "$workdir/default.vcl" -p "vcl_path=$root/varnish:/etc/varnish:/usr/share/varnish/vcl")

# Compiling the VCL finds a missing xkey vmod (and any other mistake) before anything starts.
if ! compiled="$(varnishd -C "${varnish_args[@]}" 2>&1 >/dev/null)"; then
  if grep -qi "vmod.*xkey\|xkey.*vmod" <<<"$compiled"; then
    echo "The xkey vmod is not installed. On Debian or Ubuntu: sudo apt-get install varnish-modules" >&2
  else
    echo "varnishd could not compile $here/default.vcl:" >&2
  fi
  echo "$compiled" >&2
  exit 1
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # port, pid, what
  for _ in $(seq 600); do
    listening "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited before it listened on port $1" >&2; exit 1; }
    sleep 0.1
  done
  echo "$3 did not listen on port $1 within 60 s" >&2
  exit 1
}

varnishd -F "${varnish_args[@]}" -a "127.0.0.1:$varnish_port" &
varnish_pid=$!
# Varnish first, for the blog's start-up purge. Nothing goes through Varnish to the blog before
# the blog listens: a request that finds it down makes Varnish refuse it for 10 s.
wait_for "$varnish_port" "$varnish_pid" varnishd

PORT="$app_port" SAMPLE_VARNISH_URL="http://127.0.0.1:$varnish_port" node "$main" &
app_pid=$!
wait_for "$app_port" "$app_pid" "The blog"

varnish_url="http://localhost:$varnish_port"
cat <<BANNER
  Behind Varnish at $varnish_url/   (Ctrl-C stops Varnish and the blog)

  Try it:   curl -sD - -o /dev/null $varnish_url/api/posts | grep -iE '^(x-varnish|age|x-cache):'
            (three times: X-Varnish gets a second id and Age counts up once Varnish keeps it;
            a comment or an edit in $varnish_url/admin purges it)

BANNER

set +e
wait -n "$varnish_pid" "$app_pid"
status=$?
if kill -0 "$app_pid" 2>/dev/null; then who=varnishd; else who="The blog"; fi
echo "$who stopped (status $status)" >&2
exit "$status"
