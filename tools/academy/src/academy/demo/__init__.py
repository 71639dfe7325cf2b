"""`academy demo`: a scripted pilot onboarding against a fresh mesh (see run.py)."""

from academy.demo.run import run_demo

__all__ = ["run_demo"]
