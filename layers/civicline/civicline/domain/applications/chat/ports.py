"""What 電子申請 in chat needs from the outside world; adapters implement these."""

from __future__ import annotations

from typing import Protocol

from civicline.models.forms import Application, SurveyResponse


class SubmissionQueue(Protocol):
    def send(self, submission: Application | SurveyResponse) -> None:
        """Enqueued for intake, or EnqueueFailed (the event is retried; intake drops repeats)."""
        ...
