"""Training: practice cases on the demo world, a quiz generated from the knowledge, spaced
repetition with FSRS, progress per trainee and exams. Domain code: never imports Textual or rich.

    cases.py     the practice cases: every cause a demo scenario shows, at three difficulties
    customer.py  the simulated customer: the first message and truthful answers to questions
    expert.py    the engine's own path through a case (the real conversation, an honest customer)
    grading.py   the trainee's answers against the truth; the debrief
    practice.py  one practice case as a dialogue: events out, choices and text in
    quiz.py      quiz items generated from the knowledge (never hard-coded)
    quizrun.py   a quiz round as a dialogue, with free answers read by the matcher
    progress.py  cards (FSRS) and the answer log per trainee, in the data directory
    stats.py     mastery per entry and per skill
    exam.py      an exam of N timed cases and its report (Markdown and JSON)
    events.py    the events and choices of the `train --json` contract

The four skills a trainee is scored on: recognise (the entry), diagnose (the cause), fix (the
first step), escalate (severity, support level and response time).
"""

SKILLS = ("recognise", "diagnose", "fix", "escalate")
