"""``comptoir demo [--reset]``: build the demo workspaces and print what they hold."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from comptoir.demo.builder import DemoConflictError, DemoSummary, WorkspaceSummary, build_demo


class Command(BaseCommand):
    help = (
        "Build the demo workspaces (Maison Lumière and Nordlys Software) and print their "
        "logins. Safe to run again: an existing demo is left as it is unless --reset."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo workspaces and their users, then build them again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            summary = build_demo(reset=options["reset"])
        except DemoConflictError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        for line in render(summary, seconds):
            self.stdout.write(line)


def render(summary: DemoSummary, seconds: float) -> list[str]:
    if summary.built:
        lines = [f"Built the demo in {seconds:.1f} s."]
    else:
        lines = ["The demo is already built; nothing changed (use --reset to rebuild it)."]
    for workspace in summary.workspaces:
        lines += ["", *_workspace_lines(workspace)]
    people, multichannel = summary.total("people"), summary.total("multichannel_people")
    share = multichannel / people if people else 0.0
    employees = len({login.email for login in summary.logins})
    lines += [
        "",
        (
            f"Together: {people} people ({multichannel} on two or more channels, {share:.0%}), "
            f"{summary.total('organizations')} organisations, {employees} employees, "
            f"{summary.total('conversations')} conversations, {summary.total('messages')} messages."
        ),
        "",
        f"Logins, all with the password {summary.password}:",
    ]
    width = max((len(login.email) for login in summary.logins), default=0)
    lines += [
        f"  {login.email:<{width}}  {login.role:<8}  {login.workspace}" for login in summary.logins
    ]
    lines += ["", f"Serve it with `comptoir serve` and open {summary.url}"]
    return lines


def _workspace_lines(workspace: WorkspaceSummary) -> list[str]:
    width = max((len(channel.name) for channel in workspace.channels), default=0)
    return [
        f"{workspace.name} ({workspace.slug})",
        (
            f"  people         {workspace.people:>5}   on two or more channels: "
            f"{workspace.multichannel_people} ({workspace.multichannel_share:.1%})"
        ),
        (
            f"  organisations  {workspace.organizations:>5}   with a buying committee: "
            f"{workspace.committees}, memberships: {workspace.memberships}"
        ),
        f"  employees      {workspace.employees:>5}",
        f"  channels       {len(workspace.channels):>5}",
        f"  conversations  {workspace.conversations:>5}",
        f"  messages       {workspace.messages:>5}",
        *(
            f"    {channel.name:<{width}}  {channel.kind:<9} {channel.messages:>5}"
            for channel in workspace.channels
        ),
    ]
