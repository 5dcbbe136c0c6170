"""A minimal SignalWire AgentBase agent for the probe's end-to-end test.

    python minimal_agent.py PORT

Credentials come from AGENT_USER and AGENT_PASSWORD; HTTPS and the other
security settings from the SWML_* variables, as in any deployment.
"""
import os
import sys

from signalwire_agents import AgentBase


class ProbeAgent(AgentBase):
    def __init__(self, port):
        super().__init__(
            name="probe-test",
            route="/agent",
            host="127.0.0.1",
            port=port,
            basic_auth=(os.environ["AGENT_USER"], os.environ["AGENT_PASSWORD"]),
        )
        self.prompt_add_section("Role", "You answer the phone for the swml-sec test suite.")


if __name__ == "__main__":
    ProbeAgent(int(sys.argv[1])).serve()
