"""Pure assessment domain: exams, grading, attempts, certificates, notices, progress, readiness.

Standard library, pydantic and `contracts` only; clock and randomness are passed in.
"""
