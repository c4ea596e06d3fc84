"""The planner's driver: every generator site of the module (plan/site.py), then the
module-wide rules that apply with or without IDG: MA004 (plan/generator_methods.py) and
MA006 (plan/keras2_imports.py, which reads which constructions the rewrites removed).

A new shape of use is planned inside plan/site.py's rewrite (see docs/architecture.md); a
new module-wide rule is one more planner called here.
"""

from __future__ import annotations

from migrator.plan.edits import Edits
from migrator.plan.generator_methods import plan_generator_methods
from migrator.plan.keras2_imports import plan_keras2_imports
from migrator.plan.session import Session
from migrator.plan.site import plan_site


def plan_module(session: Session) -> Edits:
    edits = Edits()
    for site in session.finder.find():
        planned = plan_site(session, site)
        if planned:  # the emitted pipeline uses `tf`
            session.rewritten.add(site.construction)
            session.needs_tf = True
        edits.merge(planned)
    edits.merge(plan_generator_methods(session))
    edits.merge(plan_keras2_imports(session))
    return edits
