"""``python -m sample_site serve``: serve the sample clinic blogs on 127.0.0.1."""

import argparse

from sample_site.server import DEFAULT_SLOW_SECONDS, SampleSite, serve_forever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_site")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the three sample clinic blogs until Ctrl-C")
    serve.add_argument("--print-urls", action="store_true",
                       help="print the URLs as JSON on the first stdout line (for tests)")
    serve.add_argument("--port-base", type=int, default=None,
                       help="builder, wp, plain, outbound on this port and the next three")
    serve.add_argument("--slow-seconds", type=float, default=DEFAULT_SLOW_SECONDS,
                       help="how long the planted slow page waits before answering")
    serve.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    site = SampleSite(slow_seconds=args.slow_seconds, port_base=args.port_base, host=args.host)
    serve_forever(site, args.print_urls)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
