"""The clearance pipeline: claim, match, assess, score, dispatch, answer, fan in, settle; one module a step.

Nothing imports this package: intake, officials' decisions and webhooks reach it by a task sent by name
(`singlewindow.core.broker.send_named`). docs/architecture.md draws the steps and their locks.
"""
