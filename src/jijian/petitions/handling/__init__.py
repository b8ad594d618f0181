"""Staff handling of reports from the public: the register, registration of letters, visits, calls and
video receptions, triage and routing by who manages the accused (分级负责、归口办理), forwards and their
answers (the desk), recusal declarations, links to integrity archives, and the register's export."""
