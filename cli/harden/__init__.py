"""harden: HIPAA-minded hardening of Debian hosts with Ansible."""

__version__ = "0.1.0"
