"""What an event makes public: the 公示 nomination list and its objections, the published
results and award lists, certificates, and the public pages."""
