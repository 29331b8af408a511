import sys

from freigabe_verify.verify import main

sys.exit(main())
