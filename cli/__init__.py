"""The `needle` command: one small module per group of commands, loaded on demand.

Loading lazily keeps `needle --help` and `needle search` fast: Scrapy and Twisted are
imported only by the commands that crawl.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import sys

import click

# command name -> "module:function"
COMMANDS = {
    "crawl": "cli.crawl:crawl",
    "changes": "cli.changes:changes",
    "sites": "cli.sites:sites",
    "extract": "cli.extract:extract",
    "demo": "cli.demo:demo",
    "index": "cli.index:index",
    "search": "cli.search:search",
    "related": "cli.search:related",
    "audit": "cli.audit:audit",
    "seo": "cli.seo:seo",
    "serve": "cli.serve:serve",
}


# Commands (None: the group's own --help) that read, print and end at once: every object
# they make lives until the process exits, so the cyclic collector finds nothing to free.
QUICK = frozenset({"extract", "search", "related", None})


class LazyGroup(click.Group):
    def main(self, args=None, *rest, standalone_mode: bool = True, **extra):
        # Only a whole `needle` process (sys.argv, exiting when done), never an in-process
        # call such as a test's: it changes the collector for the rest of the process.
        quick = args is None and standalone_mode and _command_of(sys.argv[1:]) in QUICK
        if quick:
            gc.disable()  # collections during the imports scan ~10^5 objects for nothing
        try:
            return super().main(args, *rest, standalone_mode=standalone_mode, **extra)
        finally:
            if quick:
                # the exit's last collection would scan every object again (~50 ms);
                # frozen objects are still freed by reference counts as modules unload
                gc.freeze()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)


def _command_of(argv: list[str]) -> str | None:
    """The command named in ``argv``, or None for the group's own --help/--version."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="needle")
def main() -> None:
    """Needle: crawl, search and audit a health clinic's blog.

    Settings come from settings.py and NEEDLE_* environment variables (README, "Settings");
    one that does not parse stops every command at once, with exit status 2.
    """
    try:
        import settings  # noqa: F401 - parsed once, here, before any command runs
    except ValueError as exc:  # settings.SettingError
        raise BadSetting(str(exc)) from None


class BadSetting(click.ClickException):
    exit_code = 2

    def format_message(self) -> str:
        return f"bad setting: {self.message}"
