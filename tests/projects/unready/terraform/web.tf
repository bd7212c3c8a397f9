resource "aws_s3_bucket" "media" { # expect: terraform/s3-public-access-not-blocked,terraform/s3-no-encryption-config
  bucket = "shop-media"
}

resource "aws_lb" "web" { # expect: terraform/lb-no-waf
  name               = "shop-web"
  load_balancer_type = "application"
  subnets            = var.public_subnets
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP" # expect: terraform/lb-plain-http

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
