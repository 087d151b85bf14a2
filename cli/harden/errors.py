"""The one error type the CLI turns into a clear one-line message and exit code 1."""

import click

EXIT_COMPLIANT = 0
EXIT_NOT_RUN = 1  # the run itself could not be made: bad input, no host reached
EXIT_FINDINGS = 2  # something would change, changed, was held back or failed on a host


class HardenError(click.ClickException):
    exit_code = EXIT_NOT_RUN
